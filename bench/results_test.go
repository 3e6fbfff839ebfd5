package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	line10k        = "BENCH recipients=10000 seconds=0.50 recipients_per_s=20000 history_events=64 history_bytes=335556 worker_peak_rss_mb=53.1 crm_peak_rss_mb=37.2"
	line100k       = "BENCH recipients=100000 seconds=8.00 recipients_per_s=12500 history_events=64 history_bytes=335556 worker_peak_rss_mb=54.0 crm_peak_rss_mb=41.0"
	line1M         = "BENCH recipients=1000000 seconds=90.00 recipients_per_s=11111 history_events=120 history_bytes=335556 worker_peak_rss_mb=60.0 crm_peak_rss_mb=90.0"
	lineLogged100k = "BENCH_LOGGED recipients=100000 seconds=4.00 recipients_per_s=25000"
	lineSMTP       = "BENCH_SMTP sink=discard recipients=10000 seconds=5.00 recipients_per_s=2000 accepted_seconds=1.00 crm_peak_rss_mb=40.0"
)

func TestTargetsJudge(t *testing.T) {
	tests := []struct {
		name          string
		target        Target
		lines         []string
		wantMeasured  string
		wantVerdictIn string
	}{
		{"throughput missed", Targets()[0], []string{line10k, line100k}, "12500", "missed by 7500 (38% below)"},
		{"throughput not measured", Targets()[0], []string{line10k}, "—", "not measured"},
		{"history at every size", Targets()[1], []string{line10k, line1M}, "64 at 10000, 120 at 1000000", "missed by 20.0 (20% over)"},
		{"worker RSS met", Targets()[2], []string{line1M, lineSMTP}, "60.0", "met"},
		{"logged rate reads BENCH_LOGGED only", Targets()[3], []string{line100k, lineLogged100k}, "25000", "met"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			measured, verdict := tt.target.Judge(tt.lines)
			if measured != tt.wantMeasured || !strings.Contains(verdict, tt.wantVerdictIn) {
				t.Errorf("Judge = %q, %q; want %q and a verdict containing %q", measured, verdict, tt.wantMeasured, tt.wantVerdictIn)
			}
		})
	}
}

// A run replaces the lines of the sizes it measured, keeps the others and
// every text outside the generated block.
func TestUpdateResultsKeepsOtherSizesAndNotes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.md")
	r := Report{Machine: Machine{CPUs: 2, MemoryMB: 1024, CPUModel: "Test CPU", GoVersion: "go1.26", OS: "linux/amd64"}, Settings: "defaults"}
	r.Lines = []string{line10k, line100k, lineSMTP}
	if err := UpdateResults(path, r); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	notes := "\n## Why\n\nHand-written analysis.\n"
	if err := os.WriteFile(path, append(b, notes...), 0o644); err != nil {
		t.Fatal(err)
	}
	r.Lines = []string{strings.Replace(line10k, "seconds=0.50", "seconds=0.40", 1), line1M}
	if err := UpdateResults(path, r); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(path)
	got := string(b)
	for _, want := range []string{"seconds=0.40", line100k, line1M, lineSMTP, notes, "Test CPU", "| history events ≤ 100 at every size |"} {
		if !strings.Contains(got, want) {
			t.Errorf("results.md lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "seconds=0.50") || strings.Count(got, blockBegin) != 1 {
		t.Errorf("the old 10k line or a second block survived:\n%s", got)
	}
	if i, j := strings.Index(got, "recipients=10000 "), strings.Index(got, "recipients=100000 "); i > j {
		t.Errorf("lines are not ordered by size:\n%s", got)
	}
}

// A send with the CRM on PostgreSQL keeps the SQLite line of the same size.
func TestLineKeyTellsDatabasesApart(t *testing.T) {
	sqlite := "BENCH_SMTP sink=discard recipients=20000 seconds=5.00 steady_per_s=4000 dkim=on"
	postgres := sqlite + dbField(DBPostgres)
	if lineKey(sqlite) == lineKey(postgres) {
		t.Errorf("lines %q and %q share the key %q", sqlite, postgres, lineKey(sqlite))
	}
	if got := sqlite + dbField(DBSQLite); got != sqlite {
		t.Errorf("a SQLite line reads %q, want it unchanged", got)
	}
}

// The DKIM target compares each signed send with the unsigned send of the
// same size and database, not with a fixed figure.
func TestDKIMCostIsRelative(t *testing.T) {
	var target Target
	for _, tg := range Targets() {
		if tg.Against != "" {
			target = tg
		}
	}
	if target.Against == "" {
		t.Fatal("no relative target")
	}
	off20 := "BENCH_SMTP sink=discard recipients=20000 steady_per_s=8000 dkim=off"
	on20 := "BENCH_SMTP sink=discard recipients=20000 steady_per_s=7200 dkim=on"
	off100 := "BENCH_SMTP sink=discard recipients=100000 steady_per_s=6000 dkim=off"
	on100 := "BENCH_SMTP sink=discard recipients=100000 steady_per_s=4800 dkim=on"
	pgOff := off20 + dbField(DBPostgres)
	pgOn := "BENCH_SMTP sink=discard recipients=20000 steady_per_s=5000 dkim=on" + dbField(DBPostgres)
	rsa := "BENCH_SMTP sink=discard recipients=20000 steady_per_s=500 dkim=on-rsa"
	measured, verdict := target.Judge([]string{off20, on20, rsa})
	if verdict != "met" || !strings.Contains(measured, "10% (7200 vs 8000) at 20000") {
		t.Errorf("20k at 10%%: got %q, %q", measured, verdict)
	}
	measured, verdict = target.Judge([]string{off20, on20, off100, on100, pgOff, pgOn})
	for _, want := range []string{"missed by 5 points at 100000", "missed by 22 points at 20000 db=postgres"} {
		if !strings.Contains(verdict, want) {
			t.Errorf("verdict %q lacks %q (measured %q)", verdict, want, measured)
		}
	}
	if strings.Contains(verdict, "points at 20000;") || strings.HasPrefix(verdict, "**missed by 0") {
		t.Errorf("the SQLite 20k pair (10%%) is reported missed: %q", verdict)
	}
	if _, verdict := target.Judge([]string{on20}); verdict != "not measured" {
		t.Errorf("a signed send without its unsigned pair: verdict %q, want not measured", verdict)
	}
	steady := Targets()
	for _, tg := range steady {
		if tg.Field == "steady_per_s" && tg.Against == "" && tg.Kind == "BENCH_SMTP" {
			if _, verdict := tg.Judge([]string{rsa}); verdict != "not measured" {
				t.Errorf("%s judges RSA-2048 lines: %q", tg.Name, verdict)
			}
			if _, verdict := tg.Judge([]string{on100}); !strings.Contains(verdict, "missed") {
				t.Errorf("%s does not judge Ed25519 lines: %q", tg.Name, verdict)
			}
		}
	}
}
