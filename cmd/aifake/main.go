// Command aifake serves an OpenAI-compatible Chat Completions API that
// answers every request with fixed suggestions, so the suggestion flow can
// be tried with no model and no network:
//
//	aifake -addr 127.0.0.1:8090 &
//	AI_MODEL=demo OPENAI_BASE_URL=http://127.0.0.1:8090/v1 worker
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/halcytone/contentgen/ai/aifake"
	"github.com/halcytone/contentgen/internal/service"
)

func main() {
	getenv := service.Getenv(os.Getenv)
	fs := flag.NewFlagSet("aifake", flag.ExitOnError)
	addr := fs.String("addr", getenv.String("AIFAKE_ADDR", "127.0.0.1:8090"), "listen address (AIFAKE_ADDR)")
	key := fs.String("key", getenv.String("AIFAKE_API_KEY", ""), "API key requests must carry; empty accepts any (AIFAKE_API_KEY)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: aifake [flags]\n\nServes POST /v1/chat/completions like an OpenAI-compatible server, answering\nevery suggestion request with fixed suggestions.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	_ = fs.Parse(os.Args[1:])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := service.Serve(ctx, "aifake", *addr, &aifake.Server{Key: *key}, log, nil); err != nil {
		fmt.Fprintln(os.Stderr, "aifake:", err)
		os.Exit(1)
	}
}
