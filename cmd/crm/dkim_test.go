package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/crm/server"
)

func TestDKIMConfigFromEnvironment(t *testing.T) {
	tests := []struct {
		name, key, selector, domain string
		want                        *server.DKIMConfig
		wantErr                     string
	}{
		{name: "unset"},
		{name: "one key", key: "/k/ed.pem", selector: "ed2026",
			want: &server.DKIMConfig{Domain: "example.com", Selector: "ed2026", KeyFile: "/k/ed.pem"}},
		{name: "RSA and Ed25519", key: "/k/rsa.pem, /k/ed.pem", selector: "rsa2026,ed2026", domain: "news.example.com",
			want: &server.DKIMConfig{Domain: "news.example.com", Selector: "rsa2026", KeyFile: "/k/rsa.pem",
				More: []server.DKIMKey{{Selector: "ed2026", KeyFile: "/k/ed.pem"}}}},
		{name: "no selector", key: "/k/ed.pem", wantErr: "CRM_DKIM_SELECTOR is empty"},
		{name: "selectors do not pair", key: "/k/rsa.pem,/k/ed.pem", selector: "rsa2026", wantErr: "one selector per key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CRM_DKIM_KEY", tt.key)
			t.Setenv("CRM_DKIM_SELECTOR", tt.selector)
			t.Setenv("CRM_DKIM_DOMAIN", tt.domain)
			got, err := dkimConfig("Halcytone <news@example.com>")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("dkimConfig = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
