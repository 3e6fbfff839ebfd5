package workflows

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/activities/activitytypes"
)

// TestEveryActivityCalledIsListed checks that each activity the workflow
// code executes is in activitytypes.All, the list the worker's
// registration test checks.
func TestEveryActivityCalledIsListed(t *testing.T) {
	listed := map[string]bool{}
	for _, r := range activitytypes.All() {
		listed[r.ActivityName()] = true
	}
	call := regexp.MustCompile(`activitytypes\.(\w+)\.Execute\(`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			calls++
			if !listed[m[1]] {
				t.Errorf("%s executes activitytypes.%s, which activitytypes.All does not list", f, m[1])
			}
		}
	}
	if calls < 20 {
		t.Errorf("found %d activity calls in the workflow code; expected the workflows' activity calls", calls)
	}
}
