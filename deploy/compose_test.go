package deploy

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	svc "github.com/halcytone/contentgen/internal/service"
)

// root is the repository root, seen from this package's folder.
const root = ".."

// composeFile is the part of the Compose specification the tests read.
type composeFile struct {
	Version  *string            `yaml:"version"`
	Services map[string]service `yaml:"services"`
	Volumes  map[string]any     `yaml:"volumes"`
}

type service struct {
	Image         string            `yaml:"image"`
	Build         *build            `yaml:"build"`
	ContainerName string            `yaml:"container_name"`
	Entrypoint    []string          `yaml:"entrypoint"`
	Ports         []string          `yaml:"ports"`
	DependsOn     dependsOn         `yaml:"depends_on"`
	Environment   map[string]string `yaml:"environment"`
	Volumes       []string          `yaml:"volumes"`
	Healthcheck   *struct{}         `yaml:"healthcheck"`
	Profiles      []string          `yaml:"profiles"`
}

type build struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
}

// UnmarshalYAML accepts both "build: ." and the long form.
func (b *build) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		b.Context = n.Value
		return nil
	}
	type plain build
	return n.Decode((*plain)(b))
}

// dependsOn maps a dependency to its condition, from either the short
// (list) or the long (map) form.
type dependsOn map[string]string

func (d *dependsOn) UnmarshalYAML(n *yaml.Node) error {
	*d = dependsOn{}
	if n.Kind == yaml.SequenceNode {
		var names []string
		if err := n.Decode(&names); err != nil {
			return err
		}
		for _, name := range names {
			(*d)[name] = "service_started"
		}
		return nil
	}
	var long map[string]struct {
		Condition string `yaml:"condition"`
	}
	if err := n.Decode(&long); err != nil {
		return err
	}
	for name, dep := range long {
		if dep.Condition == "" {
			dep.Condition = "service_started"
		}
		(*d)[name] = dep.Condition
	}
	return nil
}

func loadCompose(t *testing.T, name string) composeFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	var f composeFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return f
}

// composeCLI finds a Compose implementation that validates files without
// a Docker engine: the "docker compose" plugin, else docker-compose.
func composeCLI() (string, []string, bool) {
	if docker, err := exec.LookPath("docker"); err == nil {
		if exec.Command(docker, "compose", "version").Run() == nil {
			return docker, []string{"compose"}, true
		}
	}
	if dc, err := exec.LookPath("docker-compose"); err == nil {
		return dc, nil, true
	}
	return "", nil, false
}

// envWithout returns the environment minus variables starting with any
// of prefixes, so the caller decides which of them are set.
func envWithout(prefixes ...string) []string {
	var env []string
next:
	for _, kv := range os.Environ() {
		for _, p := range prefixes {
			if strings.HasPrefix(kv, p) {
				continue next
			}
		}
		env = append(env, kv)
	}
	return env
}

func TestComposeConfigValidates(t *testing.T) {
	bin, pre, ok := composeCLI()
	if !ok {
		if os.Getenv("CI") == "true" {
			t.Fatal("neither \"docker compose\" nor docker-compose is installed; install docker-compose (apt-get install docker-compose)")
		}
		t.Skip("neither \"docker compose\" nor docker-compose is installed; apt-get install docker-compose to validate docker-compose.yml")
	}
	cloudEnv := []string{
		"TEMPORAL_CLOUD_ADDRESS=us-east-1.aws.api.temporal.io:7233",
		"TEMPORAL_CLOUD_NAMESPACE=newsletter.a1b2c",
		"TEMPORAL_CLOUD_CONFIG_DIR=" + t.TempDir(),
	}
	// Settings as an operator writes them: every secret set, none of
	// them the template's change-me.
	settings := filepath.Join(t.TempDir(), "stack.env")
	values := "POSTGRES_PASSWORD=3f1c9a\nCRM_DB_PASSWORD=8d2e4b\nPLATFORM_DB_PASSWORD=5a7c1e\n" +
		"CRM_API_KEY=crm-k-91ab\nPLATFORM_API_KEY=pf-k-77cd\nNEWSLETTER_CODEC_KEYS=2026-11:" + strings.Repeat("A", 43) + "=\n" +
		"APPROVAL_SIGNING_KEYS=2026-11:" + strings.Repeat("B", 43) + "=\n" +
		"MINIO_ROOT_USER=artifacts-7e2f\nMINIO_ROOT_PASSWORD=b81c0d93e4a6\n" +
		"TRACKING_SIGNING_KEYS=" + strings.Repeat("C", 43) + "=\n"
	if err := os.WriteFile(settings, []byte(values), 0o600); err != nil {
		t.Fatal(err)
	}
	stack := []string{"docker-compose.yml"}
	cloud := []string{"docker-compose.yml", "deploy/compose.cloud.yml"}
	tests := []struct {
		name    string
		files   []string
		envFile string
		env     []string
		wantErr string // empty: must validate
	}{
		{"stack", stack, settings, nil, ""},
		{"stack without settings", stack, "", nil, "in .env - copy deploy/stack.env.example and replace every change-me value"},
		{"stack with the settings template", stack, "deploy/stack.env.example", nil, ""},
		{"Temporal Cloud override", cloud, settings, cloudEnv, ""},
		{"Temporal Cloud override without its settings", cloud, settings, nil, "TEMPORAL_CLOUD_ADDRESS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{}, pre...)
			for _, f := range tt.files {
				args = append(args, "-f", filepath.Join(root, f))
			}
			if tt.envFile != "" {
				f := tt.envFile
				if !filepath.IsAbs(f) {
					f = filepath.Join(root, f)
				}
				args = append(args, "--env-file", f)
			}
			args = append(args, "config", "--quiet")
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, args...)
			// Profiles on, so the tools are validated too.
			cmd.Env = append(envWithout(append([]string{"TEMPORAL_CLOUD_", "COMPOSE_"}, secretVars...)...), append(tt.env, "COMPOSE_PROFILES=tools")...)
			out, err := cmd.CombinedOutput()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, out)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("%s %s succeeded; want a refusal naming %s", bin, strings.Join(args, " "), tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(string(out), tt.wantErr):
				t.Fatalf("refusal does not name %s:\n%s", tt.wantErr, out)
			}
		})
	}
}

// secretVars are the settings compose requires; the tests choose them.
var secretVars = []string{"POSTGRES_PASSWORD=", "CRM_DB_PASSWORD=", "PLATFORM_DB_PASSWORD=", "CRM_API_KEY=", "PLATFORM_API_KEY=", "NEWSLETTER_CODEC_KEYS=", "APPROVAL_SIGNING_KEYS=", "MINIO_ROOT_USER=", "MINIO_ROOT_PASSWORD=", "TRACKING_SIGNING_KEYS="}

// TestTemplateSecretsAreRefused checks every secret the settings template
// leaves as change-me is one the services' startup check refuses (the
// crm, platform and codec-server command tests run that check): the
// template passes "docker compose config", so the services are what stop
// a stack started from it unedited.
func TestTemplateSecretsAreRefused(t *testing.T) {
	values := map[string]string{}
	for _, line := range strings.Split(readFile(t, "deploy/stack.env.example"), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(k, "#") {
			values[k] = v
		}
	}
	for _, kv := range secretVars {
		name := strings.TrimSuffix(kv, "=")
		v, ok := values[name]
		if !ok {
			t.Errorf("deploy/stack.env.example does not set %s", name)
			continue
		}
		if err := svc.Getenv(func(string) string { return v }).RefusePlaceholders(name); err == nil {
			t.Errorf("%s=%s in the template is not refused as a placeholder", name, v)
		}
	}
}

func TestComposeHasEveryService(t *testing.T) {
	f := loadCompose(t, "docker-compose.yml")
	if f.Version != nil {
		t.Errorf("docker-compose.yml has a version key (%q); the Compose specification has none", *f.Version)
	}
	for _, name := range []string{
		"postgresql", "temporal-schema", "temporal", "temporal-admin-tools", "temporal-ui",
		"worker", "crm", "platform", "codec-server", "mailpit", "otel-collector", "jaeger",
		"starter", "crm-import", "approvals",
	} {
		if _, ok := f.Services[name]; !ok {
			t.Errorf("service %s is missing", name)
		}
	}
	for name, s := range f.Services {
		if s.Image == "" && s.Build == nil {
			t.Errorf("service %s has neither image nor build", name)
		}
		// A fixed name allows one container per host: no scaling, no
		// second copy of the stack.
		if s.ContainerName != "" {
			t.Errorf("service %s sets container_name %q", name, s.ContainerName)
		}
	}
	if _, ok := f.Volumes["postgres-data"]; !ok {
		t.Error("named volume postgres-data is missing")
	}
}

func TestWorkerScales(t *testing.T) {
	w := loadCompose(t, "docker-compose.yml").Services["worker"]
	if len(w.Ports) > 0 {
		t.Errorf("worker publishes ports %v; replicas would collide on the host", w.Ports)
	}
	for _, key := range []string{
		"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TASK_QUEUE", "CRM_URL", "CRM_API_KEY",
		"PLATFORM_URL", "PLATFORM_API_KEY", "PLATFORM_PUBLIC_URL", "METRICS_ADDR",
		"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME",
	} {
		if w.Environment[key] == "" {
			t.Errorf("worker environment lacks %s", key)
		}
	}
	for _, dep := range []string{"temporal", "temporal-admin-tools", "crm", "platform"} {
		if _, ok := w.DependsOn[dep]; !ok {
			t.Errorf("worker does not depend on %s", dep)
		}
	}
}

// TestApprovalsReadsTheStore: the approval page's full-edition preview
// reads the render from the workers' store, decrypted with their keys.
func TestApprovalsReadsTheStore(t *testing.T) {
	f := loadCompose(t, "docker-compose.yml")
	a, w := f.Services["approvals"], f.Services["worker"]
	for _, key := range []string{"ARTIFACT_STORE_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "NEWSLETTER_CODEC_KEYS", "APPROVAL_SIGNING_KEYS"} {
		if a.Environment[key] == "" {
			t.Errorf("approvals environment lacks %s", key)
		} else if a.Environment[key] != w.Environment[key] {
			t.Errorf("approvals %s = %q, the worker's is %q; both must name the same store and keys", key, a.Environment[key], w.Environment[key])
		}
	}
	if _, ok := a.DependsOn["minio-setup"]; !ok {
		t.Error("approvals does not wait for the artifact bucket (minio-setup)")
	}
}

func TestDependenciesExist(t *testing.T) {
	f := loadCompose(t, "docker-compose.yml")
	conditions := map[string]bool{"service_started": true, "service_healthy": true, "service_completed_successfully": true}
	for name, s := range f.Services {
		for dep, cond := range s.DependsOn {
			target, ok := f.Services[dep]
			if !ok {
				t.Errorf("%s depends on %s, which is not a service", name, dep)
				continue
			}
			if !conditions[cond] {
				t.Errorf("%s waits for %s with unknown condition %q", name, dep, cond)
			}
			if cond == "service_healthy" && target.Healthcheck == nil {
				t.Errorf("%s waits for %s to be healthy, but %s has no healthcheck", name, dep, dep)
			}
			// "up" starts no profiled service, so nothing started by
			// default may wait for one.
			if len(s.Profiles) == 0 && len(target.Profiles) > 0 {
				t.Errorf("%s depends on %s, which runs only with profiles %v", name, dep, target.Profiles)
			}
		}
	}
}

func TestMountedFilesExist(t *testing.T) {
	for _, file := range []string{"docker-compose.yml", "deploy/compose.cloud.yml"} {
		for name, s := range loadCompose(t, file).Services {
			for _, v := range s.Volumes {
				src, _, _ := strings.Cut(v, ":")
				if !strings.HasPrefix(src, "./") {
					continue // a named volume or a variable
				}
				if _, err := os.Stat(filepath.Join(root, src)); err != nil {
					t.Errorf("%s: service %s mounts %s: %v", file, name, src, err)
				}
			}
		}
	}
}

// TestCRMListensForBounces checks the CRM runs its inbound SMTP listener
// for bounces and feedback-loop reports and publishes its port, so the
// bounce domain's MX can reach it.
func TestCRMListensForBounces(t *testing.T) {
	f := loadCompose(t, "docker-compose.yml")
	addr := env(t, f, "crm", "CRM_BOUNCE_ADDR")
	_, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		t.Fatalf("crm CRM_BOUNCE_ADDR is %q; want host:port", addr)
	}
	published := false
	for _, p := range f.Services["crm"].Ports {
		if strings.HasSuffix(p, ":"+port) {
			published = true
		}
	}
	if !published {
		t.Errorf("crm listens for bounces on %s but publishes only %v", addr, f.Services["crm"].Ports)
	}
	env(t, f, "crm", "CRM_BOUNCE_DOMAIN")
}
