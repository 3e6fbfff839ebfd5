package telemetry

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// NewLogger builds a process logger: format "text" or "json", level
// "debug", "info", "warn" or "error". The Temporal SDK logs through it
// (log.NewStructuredLogger), adding WorkflowID, RunID and, in activities,
// ActivityType to every workflow and activity line.
func NewLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level // info when level is ""
	if err := lv.UnmarshalText([]byte(level)); level != "" && err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", format)
}
