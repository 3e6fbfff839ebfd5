package deploy

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// dockerfileLines returns the Dockerfile's instructions, continuation
// lines joined and comments dropped.
func dockerfileLines(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatalf("read Dockerfile: %v", err)
	}
	var lines []string
	var cur strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur.Len() == 0) {
			continue
		}
		if more, ok := strings.CutSuffix(trimmed, "\\"); ok {
			cur.WriteString(more + " ")
			continue
		}
		cur.WriteString(trimmed)
		lines = append(lines, cur.String())
		cur.Reset()
	}
	return lines
}

// builtPackages returns the packages the Dockerfile's "go build" compiles.
func builtPackages(t *testing.T, lines []string) []string {
	t.Helper()
	for _, l := range lines {
		if !strings.HasPrefix(l, "RUN ") || !strings.Contains(l, "go build") {
			continue
		}
		var pkgs []string
		for _, f := range strings.Fields(l) {
			if strings.HasPrefix(f, "./") {
				pkgs = append(pkgs, f)
			}
		}
		return pkgs
	}
	t.Fatal("Dockerfile has no RUN go build")
	return nil
}

func TestDockerfileBuildsEveryCommand(t *testing.T) {
	pkgs := builtPackages(t, dockerfileLines(t))
	for _, want := range []string{"./worker", "./starter", "./cmd/crm", "./cmd/platform", "./cmd/codec-server"} {
		if !slices.Contains(pkgs, want) {
			t.Errorf("Dockerfile does not build %s (builds %v)", want, pkgs)
		}
	}
	mainPkg := regexp.MustCompile(`(?m)^package main$`)
	for _, p := range pkgs {
		files, _ := filepath.Glob(filepath.Join(root, p, "*.go"))
		found := false
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err == nil && !strings.HasSuffix(f, "_test.go") && mainPkg.Match(data) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("Dockerfile builds %s, which is not a main package in this repository", p)
		}
	}
}

func TestDockerfileRuntimeStage(t *testing.T) {
	lines := dockerfileLines(t)
	last := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "FROM ") {
			last = i
		}
	}
	final := lines[last:]
	var user, entrypoint string
	copiesExamples := false
	for _, l := range final {
		switch {
		case strings.HasPrefix(l, "USER "):
			user = strings.TrimPrefix(l, "USER ")
		case strings.HasPrefix(l, "ENTRYPOINT "):
			entrypoint = l
		case strings.HasPrefix(l, "COPY ") && strings.Contains(l, "examples/"):
			copiesExamples = true
		}
	}
	if name, _, _ := strings.Cut(user, ":"); name == "" || name == "root" || name == "0" {
		t.Errorf("runtime stage runs as %q; want a non-root USER", user)
	}
	if !strings.Contains(entrypoint, "/usr/local/bin/worker") {
		t.Errorf("runtime ENTRYPOINT is %q; want the worker", entrypoint)
	}
	if !copiesExamples {
		t.Error("runtime stage does not copy examples/")
	}
}

// TestServicesRunTheProjectImage checks that every Go service is built
// from the Dockerfile under one image name, so "up --build" rebuilds all
// of them, and runs a binary the image contains.
func TestServicesRunTheProjectImage(t *testing.T) {
	f := loadCompose(t, "docker-compose.yml")
	binaries := map[string]bool{}
	for _, p := range builtPackages(t, dockerfileLines(t)) {
		binaries["/usr/local/bin/"+path.Base(p)] = true
	}
	image := ""
	for name, s := range f.Services {
		if s.Build == nil {
			continue
		}
		if s.Build.Context != "." || (s.Build.Dockerfile != "" && s.Build.Dockerfile != "Dockerfile") {
			t.Errorf("%s builds %+v; want the repository's Dockerfile", name, *s.Build)
		}
		if image == "" {
			image = s.Image
		}
		if s.Image == "" || s.Image != image {
			t.Errorf("%s tags its build %q; every Go service shares one image (%q)", name, s.Image, image)
		}
		if len(s.Entrypoint) == 0 || !binaries[s.Entrypoint[0]] {
			t.Errorf("%s runs %v; the image holds %v", name, s.Entrypoint, binaries)
		}
	}
	for _, name := range []string{"worker", "crm", "platform", "codec-server", "starter", "crm-import"} {
		if f.Services[name].Build == nil {
			t.Errorf("%s is not built from the Dockerfile", name)
		}
	}
	for name, s := range f.Services {
		if s.Build == nil && s.Image == image {
			t.Errorf("%s uses the project image without build, so it would be pulled instead of built", name)
		}
	}
}

func TestDockerignoreKeepsBuildInputs(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, ".dockerignore"))
	if err != nil {
		t.Fatalf("read .dockerignore: %v", err)
	}
	needed := []string{"go.mod", "go.sum", "examples", "templates"}
	for _, p := range builtPackages(t, dockerfileLines(t)) {
		needed = append(needed, strings.TrimPrefix(p, "./"))
	}
	for _, line := range strings.Split(string(data), "\n") {
		pattern := strings.TrimSpace(line)
		if pattern == "" || strings.HasPrefix(pattern, "#") || strings.HasPrefix(pattern, "!") {
			continue
		}
		for _, n := range needed {
			if ok, _ := filepath.Match(pattern, n); ok {
				t.Errorf(".dockerignore pattern %q excludes %s, which the build needs", pattern, n)
			}
		}
	}
	for _, secret := range []string{".env", ".git"} {
		if !strings.Contains("\n"+string(data)+"\n", "\n"+secret+"\n") {
			t.Errorf(".dockerignore does not exclude %s", secret)
		}
	}
}
