package httpapi

import (
	"net"
	"strings"
)

// HostAllowed reports whether host ("name" or "name:port", as in a URL or
// a Host header) is one of allowed. An allowed entry without a port
// matches the name on any port, one with a port only that port; a host
// without a port stands for defaultPort. Names compare
// case-insensitively; IPv6 literals are written in brackets ("[::1]").
func HostAllowed(host, defaultPort string, allowed []string) bool {
	name, port, err := net.SplitHostPort(host)
	if err != nil {
		name, port = host, defaultPort
	}
	name = strings.ToLower(strings.Trim(name, "[]"))
	for _, a := range allowed {
		a = strings.ToLower(strings.TrimSpace(a))
		if an, ap, err := net.SplitHostPort(a); err == nil {
			if strings.Trim(an, "[]") == name && ap == port {
				return true
			}
		} else if a != "" && strings.Trim(a, "[]") == name {
			return true
		}
	}
	return false
}
