// Package testtools finds the repository's installed tools for tests.
package testtools

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot walks up from the working directory to the folder holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Integration skips the test under 'go test -short' (make test-fast): it
// needs what names, a server or tool whose start costs seconds. make test
// runs it.
func Integration(t testing.TB, what string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("integration test (needs %s): skipped under -short; 'make test' runs it", what)
	}
}

// Tool returns the path of a binary in bin/, skipping the test when it is
// missing outside CI (make test installs it; under CI=true it must exist)
// and under -short.
func Tool(t testing.TB, name string) string {
	t.Helper()
	Integration(t, "bin/"+name)
	p := filepath.Join(RepoRoot(t), "bin", name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing; 'make tools' installs it", p)
		}
		t.Skipf("%s is missing; run 'make tools' to install it", p)
	}
	return p
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
