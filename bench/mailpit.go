package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// startMailpit runs bin/mailpit with its SMTP server on smtpPort, keeping
// every message, and returns its process, how to stop it and how to count
// its messages.
func (c Config) startMailpit(ctx context.Context, smtpPort int) (p *Proc, stop func(), count func() (int64, error), err error) {
	httpPort, err := FreePort()
	if err != nil {
		return nil, nil, nil, err
	}
	dir, err := os.MkdirTemp(c.WorkDir, "bench-mailpit-")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("mailpit: %w", err)
	}
	api := "http://127.0.0.1:" + strconv.Itoa(httpPort)
	p, err = Start(Command{Name: "mailpit", Path: c.Bin.Mailpit, LogDir: dir, Args: []string{
		"--smtp", "127.0.0.1:" + strconv.Itoa(smtpPort), "--listen", "127.0.0.1:" + strconv.Itoa(httpPort),
		"--database", filepath.Join(dir, "mailpit.db"), "--max", "0", "--disable-version-check", "--quiet"}})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, nil, err
	}
	stop = func() {
		p.Stop(10 * time.Second)
		if !c.Keep {
			os.RemoveAll(dir)
		}
	}
	if err := WaitHTTP(ctx, p, api+"/api/v1/info", 30*time.Second); err != nil {
		stop()
		return nil, nil, nil, err
	}
	count = func() (int64, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, api+"/api/v1/messages?limit=1", nil)
		if err != nil {
			return 0, fmt.Errorf("mailpit count: %w", err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, fmt.Errorf("mailpit count: %w", err)
		}
		defer resp.Body.Close()
		var body struct {
			Total int64 `json:"total"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return 0, fmt.Errorf("mailpit count: %w", err)
		}
		return body.Total, nil
	}
	return p, stop, count, nil
}
