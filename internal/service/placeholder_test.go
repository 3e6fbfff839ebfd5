package service

import (
	"strings"
	"testing"
)

func TestRefusePlaceholders(t *testing.T) {
	env := map[string]string{"A_KEY": "change-me-a", "B_KEY": "real", "C_URL": "postgres://u:CHANGE-ME-db@h/d"}
	g := Getenv(func(k string) string { return env[k] })
	err := g.RefusePlaceholders("A_KEY", "B_KEY", "C_URL", "UNSET")
	if err == nil || !strings.Contains(err.Error(), "A_KEY, C_URL still hold") || strings.Contains(err.Error(), "B_KEY") {
		t.Errorf("err = %v, want one naming A_KEY and C_URL only", err)
	}
	if err := g.RefusePlaceholders("B_KEY", "UNSET"); err != nil {
		t.Errorf("real and unset values refused: %v", err)
	}
}
