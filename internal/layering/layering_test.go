// Package layering checks which packages may depend on what: the pure parts
// of the product (the document model and the renderer) link no network
// code, so they stay fast to test, safe to run anywhere, and honest about
// what they do.
package layering

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPurePackagesLinkNoNetwork lists the dependencies of the pure
// packages with the go tool and refuses net/http among them.
func TestPurePackagesLinkNoNetwork(t *testing.T) {
	for _, pkg := range []string{"../../content", "../../render", "../../crm", "../../edition"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 3 {
			t.Fatalf("go list -deps %s listed %d packages: %q", pkg, len(deps), out)
		}
		for _, d := range deps {
			if d == "net/http" {
				t.Errorf("%s depends on net/http; move what it needs from a package with HTTP into a data-only package (as crm holds the contract and crm/crmclient the client)", pkg)
			}
		}
	}
}
