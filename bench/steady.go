package bench

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"database/sql"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/internal/sqldb"
)

// SteadyRate reads the sent times of the CRM's delivery log (SQLite file
// db) and returns the messages between the 10% and 90% marks divided by
// the time between them: the rate once start-up and the tail are left
// out. It is 0 when fewer than ten messages were sent.
func SteadyRate(ctx context.Context, db string) (float64, error) {
	d, err := sqldb.Open(ctx, db)
	if err != nil {
		return 0, fmt.Errorf("steady rate: %w", err)
	}
	defer d.Close()
	rows, err := d.QueryContext(ctx, `SELECT sent_at FROM deliveries WHERE status = $1 AND sent_at IS NOT NULL ORDER BY sent_at`, crm.DeliverySent)
	if err != nil {
		return 0, fmt.Errorf("steady rate: %w", err)
	}
	defer rows.Close()
	var at []int64
	for rows.Next() {
		var ms int64
		if err := rows.Scan(&ms); err != nil {
			return 0, fmt.Errorf("steady rate: %w", err)
		}
		at = append(at, ms)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("steady rate: %w", err)
	}
	return steady(at), nil
}

// steady is the rate between the 10% and 90% marks of sorted times (ms).
// Delivered sets DeliveredSeconds from the delivery log db: from the
// approval to the latest sent time of a delivery with status.
func (m *Measure) Delivered(ctx context.Context, db, status string) error {
	d, err := sqldb.Open(ctx, db)
	if err != nil {
		return fmt.Errorf("last delivery: %w", err)
	}
	defer d.Close()
	var last sql.NullInt64
	if err := d.QueryRowContext(ctx, `SELECT MAX(sent_at) FROM deliveries WHERE status = $1`, status).Scan(&last); err != nil {
		return fmt.Errorf("last delivery: %w", err)
	}
	if !last.Valid {
		return fmt.Errorf("last delivery: no delivery is %s in the log", status)
	}
	m.DeliveredSeconds = time.UnixMilli(last.Int64).Sub(m.Approved).Seconds()
	return nil
}

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
