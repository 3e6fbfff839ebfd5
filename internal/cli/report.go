package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/halcytone/contentgen/crm/crmclient"
	"github.com/halcytone/contentgen/edition"
	"github.com/halcytone/contentgen/platform"
	"github.com/halcytone/contentgen/report"
)

func runReport(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "report", "Print what an edition achieved: deliveries, bounces, unsubscribes, clicks by section, link and day,\n"+
		"estimated opens (from the CRM at CRM_URL, key CRM_API_KEY) and web views (from the Platform at\nPLATFORM_URL, key PLATFORM_API_KEY).",
		"starter report --edition 2026-W49 --json")
	ed := fs.String("edition", "", "the edition, e.g. 2026-W49 (required)")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ed == "" {
		return errors.New("report: name the edition with --edition, e.g. --edition 2026-W49")
	}
	if err := edition.Validate(*ed); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	email := crmclient.New(crmclient.Options{BaseURL: e.get("CRM_URL", "http://127.0.0.1:8081"), APIKey: e.get("CRM_API_KEY", ""),
		SigningSecret: e.get("CRM_SIGNING_SECRET", ""), Timeout: 15 * time.Second})
	web := platform.New(platform.Options{BaseURL: e.get("PLATFORM_URL", "http://127.0.0.1:8082"), APIKey: e.get("PLATFORM_API_KEY", ""),
		Timeout: 15 * time.Second})
	r := report.Read(ctx, *ed, email, web)
	if *asJSON {
		enc := json.NewEncoder(e.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		report.WriteText(e.Stdout, r)
	}
	if !r.HasEmail() && !r.HasWeb() {
		return fmt.Errorf("report: no figures could be read for %s: email: %s; web: %s", *ed, r.EmailUnavailable, r.WebUnavailable)
	}
	return nil
}
