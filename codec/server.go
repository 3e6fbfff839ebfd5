package codec

import (
	"net/http"
	"slices"
	"strings"

	"go.temporal.io/sdk/converter"

	"github.com/halcytone/contentgen/httpapi"
)

// DefaultMaxBodyBytes bounds a codec request when HandlerOptions.MaxBodyBytes
// is 0; the Web UI sends a page of history's payloads at once.
const DefaultMaxBodyBytes = 16 << 20

// HandlerOptions configure Handler.
type HandlerOptions struct {
	// AuthToken, when set, must arrive as "Authorization: Bearer <token>"
	// (the Temporal CLI's --codec-auth, the Web UI's access token).
	// Several comma-separated tokens are accepted, for rotation.
	AuthToken string
	// AllowOrigins are the browser origins allowed to call the server,
	// e.g. "http://localhost:8233" for the dev server's Web UI. A request
	// carrying any other Origin is refused; the CLI sends none.
	AllowOrigins []string
	// AllowHosts are the names the server answers to in the Host header:
	// "codec.example.com" (any port) or "codec.example.com:8443". Empty
	// means DefaultAllowHosts. A request for another name, as a
	// DNS-rebinding page makes, is refused.
	AllowHosts []string
	// MaxBodyBytes bounds a request body (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
}

// DefaultAllowHosts are the loopback names, on any port: the codec server
// for a Web UI on the same machine.
func DefaultAllowHosts() []string { return []string{"localhost", "127.0.0.1", "[::1]"} }

// Handler serves POST /encode and POST /decode in Temporal's remote codec
// protocol for pc, with CORS for the listed origins (preflights are
// answered without authentication, as browsers send them without
// credentials) and GET /healthz.
func Handler(pc converter.PayloadCodec, o HandlerOptions) http.Handler {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	var api http.Handler = converter.NewPayloadCodecHTTPHandler(pc)
	if keys := httpapi.ParseKeys(o.AuthToken); keys.Len() > 0 {
		api = keys.RequireKey(api)
	}
	mux := http.NewServeMux()
	limited := limitBody(api, o.MaxBodyBytes)
	mux.Handle("POST /encode", limited)
	mux.Handle("POST /decode", limited)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	hosts := o.AllowHosts
	if len(hosts) == 0 {
		hosts = DefaultAllowHosts()
	}
	return checkHost(cors(mux, o.AllowOrigins), hosts)
}

// checkHost refuses a request whose Host is not one of hosts.
func checkHost(next http.Handler, hosts []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !httpapi.HostAllowed(r.Host, "80", hosts) {
			httpapi.WriteError(w, http.StatusForbidden, "host_not_allowed", "",
				"host %q is not one this codec server answers to (%s); add it to CODEC_ALLOWED_HOSTS", r.Host, strings.Join(hosts, ", "))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func limitBody(next http.Handler, limit int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// CORS headers the Web UI needs: it sends X-Namespace always and
// Authorization when "pass access token" is on, with credentials when
// "include cross-origin credentials" is on.
const (
	corsAllowHeaders = "Content-Type, X-Namespace, Authorization"
	corsAllowMethods = "POST, OPTIONS"
)

func cors(next http.Handler, origins []string) http.Handler {
	allowed := make([]string, 0, len(origins))
	for _, o := range origins {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			allowed = append(allowed, o)
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		ok := origin != "" && slices.Contains(allowed, origin)
		if origin != "" {
			w.Header().Add("Vary", "Origin")
		}
		if ok {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if origin != "" && !ok {
			httpapi.WriteError(w, http.StatusForbidden, "origin_not_allowed", "",
				"origin %q may not call this codec server; add it to the allowed origins (CODEC_CORS_ORIGINS)", origin)
			return
		}
		if r.Method != http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Methods", corsAllowMethods)
		h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
		h.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
	})
}
