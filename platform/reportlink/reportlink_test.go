package reportlink

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	secret := []byte(strings.Repeat("s", MinSecretLen))
	other := []byte(strings.Repeat("o", MinSecretLen))
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	link := URL("https://halcytone.example/", "2026-w49-weekly", secret, now.Add(time.Hour))
	if !strings.HasPrefix(link, "https://halcytone.example/updates/2026-w49-weekly/report?") {
		t.Fatalf("link %s", link)
	}
	u, _ := url.Parse(link)
	q := u.Query()
	tamper := func(k, v string) url.Values {
		c := url.Values{}
		for key, vals := range q {
			c[key] = vals
		}
		c.Set(k, v)
		return c
	}
	tests := []struct {
		name    string
		secrets [][]byte
		slug    string
		q       url.Values
		at      time.Time
		want    error
	}{
		{"valid", [][]byte{secret}, "2026-w49-weekly", q, now, nil},
		{"valid after rotation", [][]byte{other, secret}, "2026-w49-weekly", q, now, nil},
		{"other slug", [][]byte{secret}, "2026-w48-weekly", q, now, ErrForged},
		{"other secret", [][]byte{other}, "2026-w49-weekly", q, now, ErrForged},
		{"longer expiry", [][]byte{secret}, "2026-w49-weekly", tamper(ParamExpires, "9999999999"), now, ErrForged},
		{"expired", [][]byte{secret}, "2026-w49-weekly", q, now.Add(time.Hour), ErrExpired},
		{"unsigned", [][]byte{secret}, "2026-w49-weekly", url.Values{}, now, ErrMissing},
		{"no secrets", nil, "2026-w49-weekly", q, now, ErrForged},
	}
	for _, tt := range tests {
		if err := Verify(tt.secrets, tt.slug, tt.q, tt.at); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestParseSecrets(t *testing.T) {
	if s, err := ParseSecrets(" " + strings.Repeat("a", 40) + ", " + strings.Repeat("b", 32)); err != nil || len(s) != 2 {
		t.Errorf("two secrets: %d %v", len(s), err)
	}
	if _, err := ParseSecrets("short"); err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Errorf("short secret: %v", err)
	}
	if s, err := ParseSecrets(""); err != nil || s != nil {
		t.Errorf("empty: %v %v", s, err)
	}
}
