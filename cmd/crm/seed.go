package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/internal/service"
)

const seedHelp = `Usage: crm seed --generate N [flags]

Bulk-inserts N generated contacts (reader<i>@bench.example, numbered from
--start) straight into the database, for load tests and benchmarks: each has
a name, city and plan attributes, and segments so that every combination of
beta, pro and investors occurs. Contacts already present are left as they
are. Much faster than "crm import" for large lists.

The database is DATABASE_URL when set, else the SQLite file CRM_DB / -db.

Flags:
`

// seedBatch is how many contacts one transaction inserts.
const seedBatch = 10000

func seed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("crm seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, seedHelp); fs.PrintDefaults() }
	n := fs.Int("generate", 0, "how many contacts to generate (required)")
	start := fs.Int("start", 0, "number of the first generated contact")
	dbPath := fs.String("db", getenv.String("CRM_DB", ".data/crm.db"), "SQLite file, used when DATABASE_URL is not set")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *n <= 0 || *start < 0 {
		fs.Usage()
		return errors.New("seed: --generate must be a positive number of contacts (and --start not negative)")
	}
	db, err := service.OpenDB(ctx, getenv("DATABASE_URL"), *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := server.New(server.Config{DB: db})
	if err != nil {
		return err
	}
	defer srv.Close()
	began := time.Now()
	inserted := 0
	for first := *start; first < *start+*n; first += seedBatch {
		size := min(seedBatch, *start+*n-first)
		k, err := srv.InsertContacts(ctx, server.GenerateContacts(first, size))
		if err != nil {
			return fmt.Errorf("seed: contacts %d to %d: %w", first, first+size-1, err)
		}
		inserted += k
	}
	fmt.Fprintf(stdout, "seeded %d contacts (%d already present) in %.1fs\n", inserted, *n-inserted, time.Since(began).Seconds())
	return nil
}
