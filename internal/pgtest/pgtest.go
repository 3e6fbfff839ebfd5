// Package pgtest gives tests a fresh database on a real PostgreSQL server.
// When PGTEST_URL is set (the CI script starts a server and sets it), that
// server is used; otherwise the first test starts a private server from the
// machine's PostgreSQL binaries, as the postgres user when running as root,
// on a loopback port. Call Main from TestMain so that server is stopped.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/halcytone/contentgen/internal/testtools"
)

var (
	once     sync.Once
	local    *Server
	localErr error
)

// Main runs the tests and stops a server this package started.
func Main(m *testing.M) {
	code := m.Run()
	if local != nil {
		local.Stop()
	}
	os.Exit(code)
}

// DSN returns the URL of a new, empty database that is dropped when the
// test ends. Without PostgreSQL binaries the test is skipped, except under
// CI=true where that is a failure; under -short it is skipped.
func DSN(t testing.TB) string {
	t.Helper()
	testtools.Integration(t, "PostgreSQL")
	base := os.Getenv("PGTEST_URL")
	if base == "" {
		once.Do(func() { local, localErr = Start() })
		if localErr != nil {
			if os.Getenv("CI") != "true" {
				t.Skipf("PostgreSQL is not available (%v); install it with apt-get install postgresql, or set PGTEST_URL", localErr)
			}
			t.Fatalf("PostgreSQL is required under CI: %v", localErr)
		}
		base = local.URL
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer admin.Close()
	name := "t_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("pgtest: bad url %q: %v", base, err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// binDir finds the newest /usr/lib/postgresql/<v>/bin holding initdb.
func binDir() (string, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		if p, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
		return "", fmt.Errorf("no initdb under /usr/lib/postgresql/*/bin or on PATH")
	}
	sort.Strings(matches)
	return filepath.Dir(matches[len(matches)-1]), nil
}

// Server is a private PostgreSQL server in a temporary folder, tuned for
// speed over durability (no fsync).
type Server struct {
	// URL is its postgres database, for the postgres superuser.
	URL string
	dir string
	cmd *exec.Cmd
}

// Start starts a private server from the machine's PostgreSQL binaries,
// as the postgres user when running as root, on a free loopback port.
func Start() (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir}
	asRoot := os.Geteuid() == 0
	if asRoot {
		if err := exec.Command("chown", "postgres:postgres", dir).Run(); err != nil {
			s.Stop()
			return nil, fmt.Errorf("chown %s to postgres: %w", dir, err)
		}
		_ = os.Chmod(dir, 0o700)
	}
	data := filepath.Join(dir, "data")
	if out, err := command(asRoot, filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		s.Stop()
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		s.Stop()
		return nil, err
	}
	cmd := command(asRoot, filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	if err := cmd.Start(); err != nil {
		s.Stop()
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	s.cmd = cmd
	s.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	if err := waitReady(s.URL, 30*time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// Stop stops the server and removes its files.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
		}
	}
	_ = os.RemoveAll(s.dir)
}

func command(asRoot bool, name string, args ...string) *exec.Cmd {
	if asRoot {
		// setpriv execs in place, so signals reach postgres itself.
		return exec.Command("setpriv", append([]string{"--reuid=postgres", "--regid=postgres", "--init-groups", name}, args...)...)
	}
	return exec.Command(name, args...)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitReady(dsn string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		db, err := sql.Open("pgx", dsn)
		if err == nil {
			err = db.Ping()
			db.Close()
			if err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections within %s: %w", timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
