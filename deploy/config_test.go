package deploy

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/halcytone/contentgen/workflows"
)

func readFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return string(data)
}

var (
	secretName = regexp.MustCompile(`(KEY|KEYS|PASSWORD|PWD|TOKEN|SECRET|SECRETS)$`)
	// variable is "${NAME}", "${NAME:-default}" or "${NAME:?message}".
	variable    = regexp.MustCompile(`^\$\{[A-Z][A-Z0-9_]*(?::([-?])(.*))?\}$`)
	urlPassword = regexp.MustCompile(`://[^:/@]+:([^@]*)@`)
)

// TestSecretsComeFromVariables keeps secrets out of the compose file: each
// is a required variable ("${NAME:?message}", so compose refuses to start
// without it) or one whose default is empty, never a default secret.
func TestSecretsComeFromVariables(t *testing.T) {
	f := loadCompose(t, "docker-compose.yml")
	check := func(where, v string) {
		m := variable.FindStringSubmatch(v)
		switch {
		case m == nil:
			t.Errorf("%s is %q; set secrets as ${VARIABLE:?message}", where, v)
		case m[1] == "?" && !strings.Contains(m[2], "deploy/stack.env.example"):
			t.Errorf("%s: the message %q does not say where the settings are", where, m[2])
		case m[1] == "-" && m[2] != "":
			t.Errorf("%s defaults to %q; a secret has no default: make it ${VARIABLE:?message}", where, m[2])
		}
	}
	for name, s := range f.Services {
		for key, v := range s.Environment {
			if secretName.MatchString(key) {
				check(name+" "+key, v)
			}
			if m := urlPassword.FindStringSubmatch(v); m != nil {
				check(name+" "+key+" password", m[1])
			}
		}
	}
}

// env returns one service's environment variable, failing when unset.
func env(t *testing.T, f composeFile, svc, key string) string {
	t.Helper()
	v, ok := f.Services[svc].Environment[key]
	if !ok {
		t.Fatalf("service %s has no %s", svc, key)
	}
	return v
}

func TestSharedSettingsAgree(t *testing.T) {
	f := loadCompose(t, "docker-compose.yml")
	type ref struct{ svc, key string }
	tests := []struct {
		name string
		refs []ref
	}{
		{"CRM key", []ref{{"worker", "CRM_API_KEY"}, {"crm", "CRM_API_KEYS"}, {"crm-import", "CRM_API_KEY"}}},
		{"Platform key", []ref{{"worker", "PLATFORM_API_KEY"}, {"platform", "PLATFORM_API_KEYS"}}},
		{"codec keys", []ref{{"worker", "NEWSLETTER_CODEC_KEYS"}, {"codec-server", "NEWSLETTER_CODEC_KEYS"}, {"starter", "NEWSLETTER_CODEC_KEYS"}, {"approvals", "NEWSLETTER_CODEC_KEYS"}}},
		{"approval signing keys", []ref{{"worker", "APPROVAL_SIGNING_KEYS"}, {"approvals", "APPROVAL_SIGNING_KEYS"}, {"starter", "APPROVAL_SIGNING_KEYS"}}},
		{"PostgreSQL password", []ref{{"postgresql", "POSTGRES_PASSWORD"}, {"temporal", "POSTGRES_PWD"}, {"temporal-schema", "SQL_PASSWORD"}}},
		{"Web UI origin", []ref{{"temporal-ui", "TEMPORAL_CORS_ORIGINS"}, {"codec-server", "CODEC_CORS_ORIGINS"}}},
		{"task queue", []ref{{"worker", "TASK_QUEUE"}, {"starter", "TASK_QUEUE"}}},
		{"namespace", []ref{{"worker", "TEMPORAL_NAMESPACE"}, {"starter", "TEMPORAL_NAMESPACE"}, {"temporal-admin-tools", "TEMPORAL_NAMESPACE"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := env(t, f, tt.refs[0].svc, tt.refs[0].key)
			for _, r := range tt.refs[1:] {
				if got := env(t, f, r.svc, r.key); got != want {
					t.Errorf("%s %s = %q; %s %s = %q; they must be the same setting",
						r.svc, r.key, got, tt.refs[0].svc, tt.refs[0].key, want)
				}
			}
		})
	}
	for svc, key := range map[string]string{"crm": "CRM_DB_PASSWORD", "platform": "PLATFORM_DB_PASSWORD"} {
		pw := env(t, f, "postgresql", key)
		if url := env(t, f, svc, "DATABASE_URL"); !strings.Contains(url, ":"+pw+"@") {
			t.Errorf("%s DATABASE_URL %q does not use postgresql's %s %q", svc, url, key, pw)
		}
	}
}

// TestDatabasesCreated checks that the init script creates every database
// the services connect to.
func TestDatabasesCreated(t *testing.T) {
	created := map[string]bool{}
	re := regexp.MustCompile(`(?i)CREATE DATABASE (\w+)`)
	for _, m := range re.FindAllStringSubmatch(readFile(t, "deploy/postgres-init.sh"), -1) {
		created[m[1]] = true
	}
	// Temporal's server and schema tool use these names by default.
	want := []string{"temporal", "temporal_visibility"}
	f := loadCompose(t, "docker-compose.yml")
	for name, s := range f.Services {
		raw, ok := s.Environment["DATABASE_URL"]
		if !ok {
			continue
		}
		u, err := url.Parse(variableFree(raw))
		if err != nil {
			t.Fatalf("%s DATABASE_URL: %v", name, err)
		}
		want = append(want, strings.TrimPrefix(u.Path, "/"))
	}
	for _, db := range want {
		if !created[db] {
			t.Errorf("deploy/postgres-init.sh does not create database %s", db)
		}
	}
}

// variableFree replaces ${…} with a placeholder so a URL parses.
func variableFree(s string) string {
	return regexp.MustCompile(`\$\{[^}]*\}`).ReplaceAllString(s, "x")
}

func TestSearchAttributesRegistered(t *testing.T) {
	script := readFile(t, "deploy/temporal-register.sh")
	for _, attr := range []string{workflows.SearchAttrStatus, workflows.SearchAttrEdition} {
		if !regexp.MustCompile(`\b` + attr + `\b`).MatchString(script) {
			t.Errorf("deploy/temporal-register.sh does not register %s", attr)
		}
	}
}

type collectorConfig struct {
	Receivers  map[string]any `yaml:"receivers"`
	Processors map[string]any `yaml:"processors"`
	Exporters  map[string]struct {
		Endpoint string `yaml:"endpoint"`
	} `yaml:"exporters"`
	Service struct {
		Pipelines map[string]struct {
			Receivers  []string `yaml:"receivers"`
			Processors []string `yaml:"processors"`
			Exporters  []string `yaml:"exporters"`
		} `yaml:"pipelines"`
	} `yaml:"service"`
}

func TestCollectorConfig(t *testing.T) {
	var c collectorConfig
	if err := yaml.Unmarshal([]byte(readFile(t, "deploy/otel-collector.yaml")), &c); err != nil {
		t.Fatalf("parse deploy/otel-collector.yaml: %v", err)
	}
	f := loadCompose(t, "docker-compose.yml")
	for _, want := range []string{"traces", "metrics"} {
		if _, ok := c.Service.Pipelines[want]; !ok {
			t.Errorf("collector has no %s pipeline", want)
		}
	}
	for name, p := range c.Service.Pipelines {
		for _, r := range p.Receivers {
			if _, ok := c.Receivers[r]; !ok {
				t.Errorf("pipeline %s uses undefined receiver %s", name, r)
			}
		}
		for _, pr := range p.Processors {
			if _, ok := c.Processors[pr]; !ok {
				t.Errorf("pipeline %s uses undefined processor %s", name, pr)
			}
		}
		for _, e := range p.Exporters {
			if _, ok := c.Exporters[e]; !ok {
				t.Errorf("pipeline %s uses undefined exporter %s", name, e)
			}
		}
	}
	traces := c.Service.Pipelines["traces"]
	for _, e := range traces.Exporters {
		host, _, err := net.SplitHostPort(c.Exporters[e].Endpoint)
		if err != nil {
			t.Errorf("exporter %s endpoint %q: %v", e, c.Exporters[e].Endpoint, err)
			continue
		}
		if _, ok := f.Services[host]; !ok {
			t.Errorf("traces go to %s, which is not a compose service", host)
		}
	}
	if !slices.ContainsFunc(traces.Exporters, func(e string) bool { return strings.HasSuffix(e, "/jaeger") }) {
		t.Errorf("traces pipeline exports to %v; want Jaeger", traces.Exporters)
	}
	endpoint, err := url.Parse(env(t, f, "worker", "OTEL_EXPORTER_OTLP_ENDPOINT"))
	if err != nil || endpoint.Port() != "4317" || f.Services[endpoint.Hostname()].Image == "" {
		t.Errorf("worker sends telemetry to %v; want the otel-collector service's OTLP gRPC port 4317", endpoint)
	}
	metricsPort := regexp.MustCompile(`:(\d+)$`).FindStringSubmatch(env(t, f, "worker", "METRICS_ADDR"))
	scrape := readFile(t, "deploy/otel-collector.yaml")
	if metricsPort == nil || !strings.Contains(scrape, "names: [worker]") || !strings.Contains(scrape, "port: "+metricsPort[1]) {
		t.Errorf("collector does not scrape every worker replica on METRICS_ADDR's port %v", metricsPort)
	}
}

func TestTemporalDynamicConfigParses(t *testing.T) {
	var dc map[string][]struct {
		Value       any            `yaml:"value"`
		Constraints map[string]any `yaml:"constraints"`
	}
	if err := yaml.Unmarshal([]byte(readFile(t, "deploy/temporal-dynamicconfig.yaml")), &dc); err != nil {
		t.Fatalf("parse deploy/temporal-dynamicconfig.yaml: %v", err)
	}
	if len(dc) == 0 {
		t.Fatal("deploy/temporal-dynamicconfig.yaml is empty")
	}
	for key, values := range dc {
		if len(values) == 0 {
			t.Errorf("%s has no value", key)
		}
	}
}
