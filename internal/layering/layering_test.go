// Package layering checks which packages may depend on what: the pure parts
// of the product (the document model and the renderer) and the workflows
// link no network code of ours, so they stay fast to test, safe to run
// anywhere, and honest about what they do.
package layering

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// temporalSDK is the prefix of the Temporal SDK's packages. Workflows
// import its workflow package, which links net/http through its gRPC
// client; that is the SDK's own, and the one path to net/http allowed.
const temporalSDK = "go.temporal.io/"

// TestPurePackagesLinkNoNetwork lists the dependencies of the pure
// packages and the workflows with the go tool and refuses net/http among
// them, except behind the Temporal SDK for the workflows.
func TestPurePackagesLinkNoNetwork(t *testing.T) {
	for _, c := range []struct {
		pkg      string
		allowSDK bool
	}{
		{"../../content", false},
		{"../../render", false},
		{"../../crm", false},
		{"../../edition", false},
		{"../../workflows", true},
	} {
		graph, root := imports(t, c.pkg)
		if len(graph) < 3 {
			t.Fatalf("go list -deps %s listed %d packages", c.pkg, len(graph))
		}
		if path := pathTo(graph, root, "net/http", c.allowSDK); path != nil {
			t.Errorf("%s depends on net/http: %s; move what it needs from a package with HTTP into a data-only package (as crm holds the contract and crm/crmclient the client)",
				c.pkg, strings.Join(path, " -> "))
		}
	}
}

// TestWorkflowsLinkTheSDKsHTTP keeps the exception above honest: without
// it, the workflows' check would find net/http.
func TestWorkflowsLinkTheSDKsHTTP(t *testing.T) {
	graph, root := imports(t, "../../workflows")
	if pathTo(graph, root, "net/http", false) == nil {
		t.Fatal("the workflows no longer link net/http even through the Temporal SDK; drop the exception in TestPurePackagesLinkNoNetwork")
	}
}

// imports is pkg's import graph (package -> its imports) from
// go list -deps, and pkg's import path.
func imports(t *testing.T, pkg string) (map[string][]string, string) {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Imports", pkg)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	graph := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var last string
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		graph[p.ImportPath] = p.Imports
		last = p.ImportPath // go list -deps prints the package itself last
	}
	return graph, last
}

// pathTo returns an import path from root to target, or nil; with
// allowSDK it does not look inside the Temporal SDK.
func pathTo(graph map[string][]string, root, target string, allowSDK bool) []string {
	from := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == target {
			var path []string
			for ; p != ""; p = from[p] {
				path = append(path, p)
			}
			slices.Reverse(path)
			return path
		}
		for _, d := range graph[p] {
			if _, seen := from[d]; seen || allowSDK && strings.HasPrefix(d, temporalSDK) {
				continue
			}
			from[d] = p
			queue = append(queue, d)
		}
	}
	return nil
}
