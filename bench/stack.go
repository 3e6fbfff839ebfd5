package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/approvals"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/crm/crmclient"
	"github.com/halcytone/contentgen/workflows"
)

// API keys of the stack's reference services; they never leave loopback.
const (
	crmKey      = "bench-crm-key"
	trackingKey = "bench-tracking-key-0123456789"
	platformKey = "bench-platform-key"
)

// StackOptions configure a stack of processes.
type StackOptions struct {
	Bin Binaries
	// Dir holds the databases and the logs/ folder.
	Dir string
	// Contacts are generated into the CRM before it starts (crm seed).
	Contacts int
	// CRMEnv and WorkerEnv are added to those processes' environments
	// (CRM_DELIVERY_MODE, SMTP_HOST, SEND_WINDOW, …).
	CRMEnv    []string
	WorkerEnv []string
	// CRMDatabaseURL puts the CRM on PostgreSQL; empty: SQLite in Dir.
	CRMDatabaseURL string
}

// Stack is a running product: dev server, reference CRM and Platform, and
// the worker, each its own process.
type Stack struct {
	Temporal, CRM, Platform, Worker *Proc
	Client                          client.Client
	CRMClient                       *crmclient.Client
	CRMURL, PlatformURL             string
	// Watch are processes outside the stack, such as the SMTP sink,
	// whose CPU time a send measures with the stack's.
	Watch []*Proc
	// Seeded is what crm seed printed.
	Seeded string
}

// LogDir is where the processes write their logs.
func (o StackOptions) LogDir() string { return filepath.Join(o.Dir, "logs") }

// StartStack seeds the CRM's database and starts every process. Close it
// even when it fails: it stops what did start.
func StartStack(ctx context.Context, o StackOptions) (*Stack, error) {
	s := &Stack{}
	ports := make([]int, 3)
	for i := range ports {
		p, err := FreePort()
		if err != nil {
			return s, err
		}
		ports[i] = p
	}
	topts := TemporalOptions{Path: o.Bin.Temporal, Port: ports[0], LogDir: o.LogDir()}
	var err error
	if s.Temporal, err = StartTemporal(ctx, topts); err != nil {
		return s, err
	}
	if s.Client, err = DialTemporal(ctx, topts.Address(), 30*time.Second); err != nil {
		return s, err
	}
	crmDB := filepath.Join(o.Dir, "crm.db")
	if o.Contacts > 0 {
		seed := exec.CommandContext(ctx, o.Bin.CRM, "seed", "--generate", strconv.Itoa(o.Contacts), "-db", crmDB)
		seed.Env = append(os.Environ(), "DATABASE_URL="+o.CRMDatabaseURL)
		out, err := seed.CombinedOutput()
		if err != nil {
			return s, fmt.Errorf("crm seed --generate %d: %w\n%s", o.Contacts, err, out)
		}
		s.Seeded = string(out)
	}
	crmAddr := "127.0.0.1:" + strconv.Itoa(ports[1])
	s.CRMURL = "http://" + crmAddr
	s.CRM, err = Start(Command{Name: "crm", Path: o.Bin.CRM, Args: []string{"serve"}, LogDir: o.LogDir(),
		Env: append([]string{"CRM_API_KEYS=" + crmKey, "CRM_DB=" + crmDB, "CRM_ADDR=" + crmAddr, "CRM_PUBLIC_URL=" + s.CRMURL,
			"DATABASE_URL=" + o.CRMDatabaseURL, "CRM_LOG_LEVEL=warn", "TRACKING_SIGNING_KEYS=" + trackingKey}, o.CRMEnv...)})
	if err != nil {
		return s, err
	}
	platAddr := "127.0.0.1:" + strconv.Itoa(ports[2])
	s.PlatformURL = "http://" + platAddr
	s.Platform, err = Start(Command{Name: "platform", Path: o.Bin.Platform, Args: []string{"serve"}, LogDir: o.LogDir(),
		Env: []string{"PLATFORM_API_KEYS=" + platformKey, "PLATFORM_DB=" + filepath.Join(o.Dir, "platform.db"),
			"PLATFORM_ADDR=" + platAddr, "DATABASE_URL=", "PLATFORM_LOG_LEVEL=warn"}})
	if err != nil {
		return s, err
	}
	for _, svc := range []struct {
		p   *Proc
		url string
	}{{s.CRM, s.CRMURL + "/healthz"}, {s.Platform, s.PlatformURL + "/"}} {
		if err := WaitHTTP(ctx, svc.p, svc.url, 30*time.Second); err != nil {
			return s, err
		}
	}
	s.CRMClient = crmclient.New(crmclient.Options{BaseURL: s.CRMURL, APIKey: crmKey, Timeout: time.Minute})
	s.Worker, err = Start(Command{Name: "worker", Path: o.Bin.Worker, LogDir: o.LogDir(),
		Env: append(WorkerEnv(topts.Address(), s.CRMURL, crmKey, s.PlatformURL, platformKey),
			append([]string{"ARTIFACT_STORE_URL=" + filepath.Join(o.Dir, "artifacts")}, o.WorkerEnv...)...)})
	return s, err
}

// WorkerEnv is the environment bin/worker needs to reach the services.
func WorkerEnv(temporalAddr, crmURL, crmKey, platformURL, platformKey string) []string {
	return []string{"TEMPORAL_ADDRESS=" + temporalAddr, "TEMPORAL_NAMESPACE=default",
		"CRM_URL=" + crmURL, "CRM_API_KEY=" + crmKey, "PLATFORM_URL=" + platformURL, "PLATFORM_API_KEY=" + platformKey,
		"APPROVAL_SIGNING_KEYS=" + SigningKeys}
}

// SigningKeys is the bench workers' APPROVAL_SIGNING_KEYS: a fixed key,
// since bench stacks live on loopback for one run.
const SigningKeys = "bench:YmVuY2gtYXBwcm92YWwtc2lnbmluZy1rZXktMzJieSE="

// Approve approves run id as Approver with an operator-minted token, as
// 'starter approve --mint' does.
func Approve(ctx context.Context, c client.Client, id, comment string) error {
	keys, err := token.ParseKeys(SigningKeys)
	if err != nil {
		return err
	}
	tok, err := approvals.Mint(ctx, c, keys, id, Approver, token.ActionApprove)
	if err != nil {
		return err
	}
	return c.SignalWorkflow(ctx, id, "", workflows.SignalApprove, workflows.ApproveSignal{By: Approver, Comment: comment, Token: tok})
}

// Close stops every process that started, the worker first.
func (s *Stack) Close() {
	if s.Client != nil {
		s.Client.Close()
	}
	for _, p := range []*Proc{s.Worker, s.Platform, s.CRM, s.Temporal} {
		if p != nil {
			p.Stop(15 * time.Second)
		}
	}
}

// WaitHTTP polls url until it answers or wait has passed; p ending early
// is reported at once.
func WaitHTTP(ctx context.Context, p *Proc, url string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("wait for %s: %w", p.Name, err)
		}
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-p.Exited():
			return fmt.Errorf("%s exited before it answered on %s: %w", p.Name, url, errors.Join(p.Err(), errors.New("see its log")))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer on %s within %s", p.Name, url, wait)
		}
	}
}
