package app

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/halcytone/contentgen/crm/crmclient"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/platform"
)

// ServiceConfig locates one of the services the worker calls.
type ServiceConfig struct {
	BaseURL string
	APIKey  string
	// SigningSecret, when set, signs every request (CRM contract).
	SigningSecret string
	Timeout       time.Duration
}

// breakerClient returns an HTTP client whose calls to service go through a
// circuit breaker: after repeated failures they fail fast (retryably) until
// a probe succeeds, so a service that is down costs seconds, not every
// request's timeout. Temporal's retry policy still decides when to retry.
func breakerClient(service string, timeout time.Duration, base http.RoundTripper, logger *slog.Logger) *http.Client {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	if base == nil {
		base = http.DefaultTransport
	}
	b := httpapi.NewBreaker(httpapi.BreakerOptions{Service: service, OnStateChange: func(svc string, from, to httpapi.BreakerState) {
		if logger != nil {
			logger.Warn("circuit breaker", "service", svc, "from", from.String(), "to", to.String())
		}
	}})
	return &http.Client{Timeout: timeout, Transport: b.Transport(base)}
}

// CRMClient builds the CRM client with a circuit breaker and, when
// configured, request signing. base is the transport underneath (nil for
// the default; telemetry wraps it).
func CRMClient(cfg ServiceConfig, base http.RoundTripper, logger *slog.Logger) *crmclient.Client {
	return crmclient.New(crmclient.Options{BaseURL: cfg.BaseURL, APIKey: cfg.APIKey, SigningSecret: cfg.SigningSecret,
		HTTPClient: breakerClient("crm", cfg.Timeout, base, logger)})
}

// PlatformClient builds the Platform client with a circuit breaker.
func PlatformClient(cfg ServiceConfig, base http.RoundTripper, logger *slog.Logger) *platform.Client {
	return platform.New(platform.Options{BaseURL: cfg.BaseURL, APIKey: cfg.APIKey,
		HTTPClient: breakerClient("platform", cfg.Timeout, base, logger)})
}
