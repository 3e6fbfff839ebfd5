package server

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/internal/pgtest"
	"github.com/halcytone/contentgen/internal/sqldb"
)

// Addresses whose JSON or SQL spelling needs escapes, for the lists passed
// as one parameter.
const (
	quotedAddr   = "o'neil@example.com"
	unicodeAddr  = "zoë@example.com"
	suppressAddr = "amp&co+x@example.com"
)

// queueAndFlush queues a batch of n new addresses plus the addresses that
// must be refused, delivers it and checks both.
func queueAndFlush(t *testing.T, s *Server, newsletter string, n int) {
	t.Helper()
	req := batch(newsletter, quotedAddr, unicodeAddr, suppressAddr)
	for i := range n {
		req.Messages = append(req.Messages, crm.Message{To: fmt.Sprintf("r%03d@example.net", i), Variant: "v1",
			Merge: map[string]string{"attr.city": "Oslo"}})
	}
	resp := postBatch(t, s, newsletter, req)
	want := map[string]string{quotedAddr: ReasonUnsubscribed, unicodeAddr: "", suppressAddr: ReasonSuppressed}
	for _, r := range resp.Results[:3] {
		if r.Reason != want[r.To] {
			t.Errorf("%s: %s %q, want reason %q", r.To, r.Status, r.Reason, want[r.To])
		}
	}
	if resp.Accepted != n+1 {
		t.Errorf("accepted %d, want %d", resp.Accepted, n+1)
	}
	flush(t, s)
	counts, rows := allDeliveries(t, s, newsletter)
	if counts[crm.DeliveryLogged] != n+1 || len(rows) != n+1 {
		t.Errorf("delivery log counts %v (%d rows), want %d logged", counts, len(rows), n+1)
	}
}

// prepareAddresses makes quotedAddr an unsubscribed contact, unicodeAddr a
// subscribed one and suppressAddr a suppressed address.
func prepareAddresses(t *testing.T, s *Server) {
	t.Helper()
	importCSV(t, s, "email,name\n"+quotedAddr+",Quoted\n"+unicodeAddr+",Zoë\n")
	var token string
	if err := s.db.QueryRow(`SELECT unsubscribe_token FROM contacts WHERE email = $1`, quotedAddr).Scan(&token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Unsubscribe(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`INSERT INTO suppressions (address, reason, detail, newsletter_id, created_at) VALUES ($1, 'hard_bounce', '', '', 0)`,
		suppressAddr); err != nil {
		t.Fatal(err)
	}
}

// The prepared statements keep working when the connections they were
// prepared on are gone: closed by the pool, or, on PostgreSQL, ended by
// the server.
func TestStatementsOnNewConnections(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := b.open(t)
			s := newTestServer(t, db, nil)
			prepareAddresses(t, s)
			// More than one full insert chunk, and a shorter last one.
			queueAndFlush(t, s, "n1", insertChunk+7)

			// The pool closes every idle connection.
			db.SetMaxIdleConns(0)
			db.SetMaxIdleConns(2)
			queueAndFlush(t, s, "n2", insertChunk)

			if db.Dialect != sqldb.Postgres {
				return
			}
			// The server ends every session of this database; pgx finds
			// out on the next use after a second idle, and database/sql
			// opens new connections and prepares the statements on them.
			admin := openDB(t, pgtest.DSN(t))
			var dbName string
			if err := db.QueryRow(`SELECT current_database()`).Scan(&dbName); err != nil {
				t.Fatal(err)
			}
			rows, err := admin.Query(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, dbName)
			if err != nil {
				t.Fatal(err)
			}
			var pids []int
			for rows.Next() {
				var pid int
				if err := rows.Scan(&pid); err != nil {
					t.Fatal(err)
				}
				pids = append(pids, pid)
			}
			rows.Close()
			if len(pids) == 0 {
				t.Fatal("no session of the CRM's database")
			}
			for _, pid := range pids {
				var ended bool
				if err := admin.QueryRow(`SELECT pg_terminate_backend($1, 5000)`, pid).Scan(&ended); err != nil || !ended {
					t.Fatalf("end session %d: %t, %v", pid, ended, err)
				}
			}
			time.Sleep(1100 * time.Millisecond)
			queueAndFlush(t, s, "n3", 3)
		})
	}
}

// record writes each kind of outcome, alone (one statement, no
// transaction) and mixed (one transaction).
func TestRecordOutcomes(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newTestServer(t, b.open(t), nil)
			ctx := context.Background()
			postBatch(t, s, "k1", batch("n1", "a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@example.com"))
			postBatch(t, s, "k2", batch("n2", "a@example.com"))
			jobs, err := s.claim(ctx, 10)
			if err != nil || len(jobs) != 6 {
				t.Fatalf("claimed %d, %v; want 6", len(jobs), err)
			}
			now := time.Now()
			byAddr := map[string]*job{}
			for _, j := range jobs {
				byAddr[j.newsletterID+"/"+j.address] = j
			}
			// Alone: two sent deliveries of one newsletter.
			alone := []*job{byAddr["n1/a@example.com"], byAddr["n1/b@example.com"]}
			for _, j := range alone {
				j.out = outcome{kind: outSent, messageID: s.messageID(j), at: now}
			}
			if err := s.record(ctx, alone); err != nil {
				t.Fatal(err)
			}
			// Mixed: sent in another newsletter, a retry, a release and a
			// failure.
			mixed := []*job{byAddr["n2/a@example.com"], byAddr["n1/c@example.com"], byAddr["n1/d@example.com"], byAddr["n1/e@example.com"]}
			mixed[0].out = outcome{kind: outSent, messageID: s.messageID(mixed[0]), at: now}
			mixed[1].out = outcome{kind: outRetry, err: "451 try later", retryAt: now.Add(time.Hour)}
			mixed[2].out = outcome{kind: outRelease}
			mixed[3].out = outcome{kind: outFailed, err: "550 no such user"}
			if err := s.record(ctx, mixed); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			rows, err := s.db.Query(`SELECT newsletter_id, address, status, smtp_message_id, error, attempts, locked_until, sent_at IS NOT NULL FROM deliveries`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var nl, addr, status, msgID, errText string
				var attempts int
				var locked int64
				var sent bool
				if err := rows.Scan(&nl, &addr, &status, &msgID, &errText, &attempts, &locked, &sent); err != nil {
					t.Fatal(err)
				}
				got[nl+"/"+addr] = fmt.Sprintf("%s id=%t err=%q attempts=%d locked=%t sent=%t", status, msgID != "", errText, attempts, locked != 0, sent)
			}
			want := map[string]string{
				"n1/a@example.com": `sent id=true err="" attempts=1 locked=false sent=true`,
				"n1/b@example.com": `sent id=true err="" attempts=1 locked=false sent=true`,
				"n2/a@example.com": `sent id=true err="" attempts=1 locked=false sent=true`,
				"n1/c@example.com": `queued id=false err="451 try later" attempts=1 locked=false sent=false`,
				"n1/d@example.com": `queued id=false err="" attempts=0 locked=false sent=false`,
				"n1/e@example.com": `failed id=false err="550 no such user" attempts=1 locked=false sent=false`,
			}
			if !maps.Equal(got, want) {
				t.Errorf("deliveries:\n got %v\nwant %v", got, want)
			}
			// The Message-ID SQL writes for a group is the one messageID
			// gives each delivery.
			for _, j := range append(alone, mixed[0]) {
				var msgID string
				if err := s.db.QueryRow(`SELECT smtp_message_id FROM deliveries WHERE id = $1`, j.id).Scan(&msgID); err != nil {
					t.Fatal(err)
				}
				if msgID != j.out.messageID {
					t.Errorf("delivery %d Message-ID %q, want %q", j.id, msgID, j.out.messageID)
				}
			}
		})
	}
}

// A closed server's statements are gone from the connection; the
// database stays usable.
func TestCloseReleasesStatements(t *testing.T) {
	db := openSQLite(t)
	s := newTestServer(t, db, nil)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.stmts.claim.Exec(); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("claim after Close: %v, want statement is closed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := db.Exec(`DELETE FROM deliveries`); err != nil {
		t.Errorf("database after Close: %v", err)
	}
}

// One list parameter matches exactly its values, on both dialects,
// whatever their characters and however many there are.
func TestInList(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := b.open(t)
			newTestServer(t, db, nil)
			addrs := []string{quotedAddr, unicodeAddr, suppressAddr, `"<quoted>"@example.com`, `back\slash@example.com`, "line\u2028sep@example.com"}
			for i := range 1500 {
				addrs = append(addrs, fmt.Sprintf("bulk%04d@example.net", i))
			}
			for _, a := range addrs {
				if _, err := db.Exec(`INSERT INTO suppressions (address, reason, detail, newsletter_id, created_at) VALUES ($1, 'hard_bounce', '', '', 0)`, a); err != nil {
					t.Fatal(err)
				}
			}
			stmt, err := db.Prepare(suppressedSQL(db.Dialect))
			if err != nil {
				t.Fatal(err)
			}
			defer stmt.Close()
			for _, ask := range [][]string{nil, addrs[:1], addrs[:5], addrs, {"nobody@example.com", addrs[3], strings.ToUpper(addrs[0])}} {
				got, err := suppressed(context.Background(), stmt, db.Dialect, ask)
				if err != nil {
					t.Fatal(err)
				}
				var want []string
				for _, a := range ask {
					if slices.Contains(addrs, a) {
						want = append(want, a)
					}
				}
				if g := slices.Sorted(maps.Keys(got)); !slices.Equal(g, slices.Sorted(slices.Values(want))) {
					t.Errorf("asked %d addresses: got %d %v, want %d", len(ask), len(g), g[:min(len(g), 5)], len(want))
				}
			}
			ids := []int64{3, 1, 1 << 40}
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM (SELECT 1 AS id UNION ALL SELECT 3 UNION ALL SELECT 4) t WHERE `+inList(db.Dialect, "id", "$1", "bigint"),
				int64List(db.Dialect, ids)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 2 {
				t.Errorf("ids %v matched %d of 1, 3, 4; want 2", ids, n)
			}
		})
	}
}
