package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
	"github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/internal/service"
)

const importHelp = `Usage: crm import --file contacts.csv [flags]

Loads contacts: a header row "email,name,segments,…" where segments are
separated by ';' or '|' and any further columns are attributes (city, plan…).
Contacts are matched by email; a re-import updates name, segments and
attributes but never resubscribes someone who unsubscribed.

Without --url the database is written directly (DATABASE_URL, else the SQLite
file CRM_DB / -db); with --url the file is posted to a running CRM using
CRM_API_KEY. The command fails when any row was skipped.

Flags:
`

func importCSV(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("crm import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, importHelp); fs.PrintDefaults() }
	file := fs.String("file", "", "contacts CSV file (required)")
	dbPath := fs.String("db", getenv.String("CRM_DB", ".data/crm.db"), "SQLite file, used when DATABASE_URL is not set")
	url := fs.String("url", getenv.String("CRM_URL", ""), "post to this running CRM instead of writing the database")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *file == "" {
		fs.Usage()
		return errors.New("import: --file is required")
	}
	f, err := os.Open(*file)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	var res crm.ImportResult
	if *url != "" {
		res, err = crmclient.New(crmclient.Options{BaseURL: *url, APIKey: getenv.String("CRM_API_KEY", "")}).ImportContacts(ctx, f)
	} else {
		res, err = importDirect(ctx, *dbPath, f)
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", *file, err)
	}
	fmt.Fprintf(stdout, "%s: %d imported, %d updated, %d skipped\n", *file, res.Imported, res.Updated, res.Skipped)
	for _, e := range res.Errors {
		fmt.Fprintln(stderr, "  "+e)
	}
	if res.Skipped > 0 {
		return fmt.Errorf("import %s: %d rows skipped; fix them and import again (rows already imported are updated, not duplicated)", *file, res.Skipped)
	}
	return nil
}

func importDirect(ctx context.Context, dbPath string, r io.Reader) (crm.ImportResult, error) {
	db, err := service.OpenDB(ctx, getenv("DATABASE_URL"), dbPath)
	if err != nil {
		return crm.ImportResult{}, err
	}
	defer db.Close()
	srv, err := server.New(server.Config{DB: db})
	if err != nil {
		return crm.ImportResult{}, err
	}
	defer srv.Close()
	return srv.ImportContacts(ctx, r)
}
