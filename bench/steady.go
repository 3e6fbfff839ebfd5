package bench

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"

	"github.com/halcytone/contentgen/internal/sqldb"
)

// deliveryTimes reads the sent times (Unix milliseconds, in order) of the
// deliveries with status in the CRM's delivery log db (a SQLite file or a
// PostgreSQL URL).
func deliveryTimes(ctx context.Context, db, status string) ([]int64, error) {
	d, err := sqldb.Open(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("delivery times: %w", err)
	}
	defer d.Close()
	rows, err := d.QueryContext(ctx, `SELECT sent_at FROM deliveries WHERE status = $1 AND sent_at IS NOT NULL ORDER BY sent_at`, status)
	if err != nil {
		return nil, fmt.Errorf("delivery times: %w", err)
	}
	defer rows.Close()
	var at []int64
	for rows.Next() {
		var ms int64
		if err := rows.Scan(&ms); err != nil {
			return nil, fmt.Errorf("delivery times: %w", err)
		}
		at = append(at, ms)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("delivery times: %w", err)
	}
	if len(at) == 0 {
		return nil, fmt.Errorf("delivery times: no delivery is %s in the log", status)
	}
	return at, nil
}

// steady is the rate between the 10% and 90% marks of sorted times (ms):
// the messages between them divided by the time between them, once
// start-up and the tail are left out. It is 0 for fewer than ten.
func steady(at []int64) float64 {
	if len(at) < 10 {
		return 0
	}
	lo, hi := len(at)/10, len(at)*9/10
	span := float64(at[hi]-at[lo]) / 1000
	if span <= 0 {
		return 0
	}
	return float64(hi-lo) / span
}

// WriteDKIMKey writes a fresh DKIM key ("rsa" for RSA-2048, otherwise
// Ed25519) as PEM into dir and returns its path.
func WriteDKIMKey(dir, kind string) (string, error) {
	var key crypto.Signer
	var err error
	if kind == "rsa" {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		_, key, err = ed25519.GenerateKey(rand.Reader)
	}
	if err != nil {
		return "", fmt.Errorf("dkim key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("dkim key: %w", err)
	}
	path := filepath.Join(dir, "dkim.pem")
	return path, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}
