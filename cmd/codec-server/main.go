// Command codec-server serves Temporal's remote codec protocol for the
// newsletter's encrypted payloads, so the Temporal CLI and Web UI can show
// workflow inputs and results to operators who hold the token.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/halcytone/contentgen/codec"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/service"
)

const usage = `Usage: codec-server [flags]

Serves POST /encode and POST /decode (Temporal's remote codec protocol) for
payloads encrypted with the newsletter's keys.

Environment (flags win where both exist):
  NEWSLETTER_CODEC_KEYS  key spec "id:base64key[,old-id:base64key…]", the active key first;
                         the worker and starter must use the same keys
  CODEC_ADDR             listen address (default 127.0.0.1:8234)
  CODEC_AUTH_TOKEN       token required as "Authorization: Bearer <token>" (comma-separated
                         for rotation); empty accepts every request on the address
  CODEC_CORS_ORIGINS     comma-separated browser origins allowed to call the server
                         (default http://localhost:8233, the dev server's Web UI)
  CODEC_ALLOWED_HOSTS    comma-separated names the server answers to in the Host header,
                         "name" (any port) or "name:port" (default localhost, 127.0.0.1,
                         [::1]); set it to the public name when the server is reached by one

Examples:
  codec-server -new-key 2026-11              # print a fresh key spec entry
  NEWSLETTER_CODEC_KEYS=2026-11:… CODEC_AUTH_TOKEN=s3cret codec-server
  temporal workflow show --workflow-id newsletter-2026-W48 \
    --codec-endpoint http://127.0.0.1:8234 --codec-auth "Bearer s3cret"

In the Web UI, set the codec endpoint to http://127.0.0.1:8234 and turn on
"pass access token" only when the UI's token is the one this server expects.

Flags:
`

// getenv reads the configuration, as every main does.
var getenv = service.Getenv(os.Getenv)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "codec-server:", err)
		os.Exit(1)
	}
}

type config struct {
	addr, keys, token, origins, hosts, newKey string
}

// run parses flags and serves until ctx ends. ready, when not nil,
// receives the bound address.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) error {
	var c config
	fs := flag.NewFlagSet("codec-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	fs.StringVar(&c.addr, "addr", getenv.String("CODEC_ADDR", "127.0.0.1:8234"), "listen address")
	fs.StringVar(&c.keys, "keys", getenv.String("NEWSLETTER_CODEC_KEYS", ""), "key spec (prefer the environment: flags show in ps)")
	fs.StringVar(&c.origins, "cors-origins", getenv.String("CODEC_CORS_ORIGINS", "http://localhost:8233"), "comma-separated allowed browser origins")
	fs.StringVar(&c.hosts, "allowed-hosts", getenv.String("CODEC_ALLOWED_HOSTS", strings.Join(codec.DefaultAllowHosts(), ",")), "comma-separated names allowed in the Host header")
	fs.StringVar(&c.newKey, "new-key", "", "print a new key spec entry with this ID and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if c.newKey != "" {
		entry, err := codec.NewKey(c.newKey)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, entry)
		return nil
	}
	for name, v := range map[string]string{"NEWSLETTER_CODEC_KEYS": c.keys, "CODEC_AUTH_TOKEN": getenv.String("CODEC_AUTH_TOKEN", "")} {
		if err := service.Getenv(func(string) string { return v }).RefusePlaceholders(name); err != nil {
			return err
		}
	}
	keys, err := codec.ParseKeys(c.keys)
	if err != nil {
		return fmt.Errorf("%w (set NEWSLETTER_CODEC_KEYS)", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	token := getenv.String("CODEC_AUTH_TOKEN", "")
	if token == "" {
		log.Warn("CODEC_AUTH_TOKEN is empty: anyone who can reach the address can decrypt payloads")
	}
	h := codec.Handler(codec.NewCodec(keys), codec.HandlerOptions{
		AuthToken: token, AllowOrigins: strings.Split(c.origins, ","), AllowHosts: list(c.hosts),
	})
	return serve(ctx, c.addr, h, log, keys, ready)
}

func serve(ctx context.Context, addr string, h http.Handler, log *slog.Logger, keys *codec.Keyring, ready chan<- string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	hs := httpapi.NewServer(addr, h, httpapi.DefaultTimeouts)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	log.Info("codec server listening", "addr", ln.Addr().String(), "activeKey", keys.ActiveID(), "keys", keys.IDs())
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-served:
		return fmt.Errorf("serve %s: %w", addr, err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// list splits a comma-separated value, dropping blanks.
func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
