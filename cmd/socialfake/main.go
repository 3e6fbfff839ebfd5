// Command socialfake serves local stand-ins for Mastodon, Bluesky, X and
// LinkedIn on one address, shaped like their APIs, so the demo can post
// without accounts. Posts live in memory; each has a page of its own.
//
//	socialfake -addr 127.0.0.1:8084
//	MASTODON_SERVER=http://127.0.0.1:8084 MASTODON_ACCESS_TOKEN=demo-mastodon-token \
//	BLUESKY_SERVICE=http://127.0.0.1:8084 BLUESKY_WEB_URL=http://127.0.0.1:8084 \
//	BLUESKY_HANDLE=halcytone.demo BLUESKY_APP_PASSWORD=demo-app-password worker
//
// With -media DIR it also serves DIR's images at /media/, so a demo
// document's pictures come from this machine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "socialfake:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("socialfake", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8084", "listen address")
	publicURL := fs.String("public-url", "", "URL the fakes are reached at (default http://<addr>)")
	var c config
	fs.StringVar(&c.mediaDir, "media", "", "folder of images served at /media/ (the demo's lead image), so posts carry a picture without any network")
	fs.StringVar(&c.mastodonToken, "mastodon-token", "demo-mastodon-token", "Mastodon access token to accept")
	fs.StringVar(&c.blueskyHandle, "bluesky-handle", "halcytone.demo", "Bluesky handle")
	fs.StringVar(&c.blueskyPassword, "bluesky-password", "demo-app-password", "Bluesky app password to accept")
	fs.StringVar(&c.xClientID, "x-client-id", "demo-x-client", "X OAuth 2.0 client ID")
	fs.StringVar(&c.xClientSecret, "x-client-secret", "demo-x-secret", "X OAuth 2.0 client secret")
	fs.StringVar(&c.xRefreshToken, "x-refresh-token", "demo-x-refresh", "X refresh token to accept first")
	fs.StringVar(&c.linkedInToken, "linkedin-token", "demo-linkedin-token", "LinkedIn access token to accept")
	fs.StringVar(&c.linkedInAuthor, "linkedin-author", "urn:li:organization:1000", "LinkedIn author URN to accept")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if *publicURL == "" {
		*publicURL = "http://" + ln.Addr().String()
	}
	srv := &http.Server{Handler: newServer(c, *publicURL), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	fmt.Fprintf(os.Stderr, "socialfake: Mastodon, Bluesky, X and LinkedIn on %s\n", *publicURL)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
