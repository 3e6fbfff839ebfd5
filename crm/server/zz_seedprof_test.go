package server

import (
	"context"
	"os"
	"testing"
)

func TestSeedProfile(t *testing.T) {
	if os.Getenv("SEEDPROF") == "" {
		t.Skip()
	}
	db := openDB(t, t.TempDir()+"/crm.db")
	if c := os.Getenv("SEEDCACHE"); c != "" {
		if _, err := db.Exec("PRAGMA cache_size = " + c); err != nil {
			t.Fatal(err)
		}
	}
	s := newTestServer(t, db, nil)
	for first := 0; first < 200000; first += 10000 {
		if _, err := s.InsertContacts(context.Background(), GenerateContacts(first, 10000)); err != nil {
			t.Fatal(err)
		}
	}
}
