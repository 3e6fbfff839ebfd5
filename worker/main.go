// Command worker runs NewsletterWorkflow and its activities on a Temporal
// task queue.
//
//	TEMPORAL_ADDRESS=localhost:7233 CRM_URL=http://127.0.0.1:8081 CRM_API_KEY=… \
//	PLATFORM_URL=http://127.0.0.1:8082 PLATFORM_API_KEY=… worker
package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/sdk/worker"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/internal/service"
	"github.com/halcytone/contentgen/internal/telemetry"
	"github.com/halcytone/contentgen/platform/reportlink"
	"github.com/halcytone/contentgen/social"
	"github.com/halcytone/contentgen/workflows"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run() error {
	getenv := service.Getenv(os.Getenv)
	fs := flag.NewFlagSet("worker", flag.ExitOnError)
	taskQueue := fs.String("task-queue", getenv.String("TASK_QUEUE", workflows.TaskQueue), "Temporal task queue (TASK_QUEUE)")
	crmURL := fs.String("crm-url", getenv.String("CRM_URL", "http://127.0.0.1:8081"), "CRM base URL (CRM_URL)")
	platformURL := fs.String("platform-url", getenv.String("PLATFORM_URL", "http://127.0.0.1:8082"), "Platform API base URL (PLATFORM_URL)")
	webURL := fs.String("web-url", getenv.String("PLATFORM_PUBLIC_URL", ""), "public base URL of the Platform's pages (PLATFORM_PUBLIC_URL; default: -platform-url)")
	templates := fs.String("templates", getenv.String("TEMPLATE_DIR", ""), "folder of templates overriding the built-in ones (TEMPLATE_DIR)")
	taxonomy := fs.String("taxonomy", getenv.String("TAXONOMY_FILE", ""), "JSON file of section categories and synonyms (TAXONOMY_FILE)")
	window := fs.Int("send-window", getenv.Int("SEND_WINDOW", 4), "batch requests in flight during a send (SEND_WINDOW)")
	rate := fs.Float64("send-rate", getenv.Float("SEND_RATE", 0), "messages per second handed to the CRM, 0 for no cap (SEND_RATE)")
	pageSize := fs.Int("send-page-size", getenv.Int("SEND_PAGE_SIZE", 1000), "recipients per page and per batch request (SEND_PAGE_SIZE)")
	aiQueue := fs.String("ai-task-queue", getenv.String("AI_TASK_QUEUE", workflows.AITaskQueue), "task queue of suggestion requests, when AI_MODEL is set (AI_TASK_QUEUE)")
	aiRate := fs.Float64("ai-rate", getenv.Float("AI_REQUESTS_PER_SECOND", 1), "model requests per second across all workers of the AI task queue (AI_REQUESTS_PER_SECOND)")
	artifactURL := fs.String("artifact-store", getenv.String("ARTIFACT_STORE_URL", app.DefaultArtifactDir), "artifact store for documents and renders: file:///dir, s3://bucket?region=…, gs://bucket, azblob://container or a folder (ARTIFACT_STORE_URL)")
	contentMode := fs.String("crm-content-mode", getenv.String("CRM_CONTENT_MODE", activities.ContentAuto), "how variants reach the CRM: auto, upload or inline (CRM_CONTENT_MODE)")
	metricsAddr := fs.String("metrics-addr", getenv.String("METRICS_ADDR", ""), "serve Prometheus metrics at http://<addr>/metrics, e.g. 127.0.0.1:9464; empty: off (METRICS_ADDR)")
	logFormat := fs.String("log-format", getenv.String("LOG_FORMAT", "text"), "log format: text or json (LOG_FORMAT)")
	approvalsURL := fs.String("approvals-url", getenv.String("APPROVALS_PUBLIC_URL", ""), "public base URL of the approvals service, for the links in proofs; empty: proofs show commands with tokens (APPROVALS_PUBLIC_URL)")
	editors := fs.String("editors", getenv.String("EDITORS", ""), "comma-separated addresses also told when an approver asks for changes (EDITORS)")
	seedLists := fs.String("seed-lists", getenv.String("SEED_LISTS", ""), "named lists of test-send addresses: qa=ana@example.com|bo@example.com;execs=cy@example.com (SEED_LISTS)")
	logLevel := fs.String("log-level", getenv.String("LOG_LEVEL", "info"), "log level: debug, info, warn or error (LOG_LEVEL)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: worker [flags]\n\nRuns the newsletter workflow and activities. Temporal is configured as in every\nTemporal tool (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS variables);\nCRM_API_KEY, PLATFORM_API_KEY and the social networks' credentials (MASTODON_*, BLUESKY_*,\nX_*, LINKEDIN_*) are read from the environment only.\nTraces go over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_TRACES_EXPORTER=otlp)\nis set, configured by the standard OTEL_* variables.\n\nExample:\n  CRM_API_KEY=dev-crm-key PLATFORM_API_KEY=dev-platform-key worker -crm-url http://127.0.0.1:8081\n\nFlags:\n")
		fs.PrintDefaults()
	}
	_ = fs.Parse(os.Args[1:])
	if err := getenv.RefusePlaceholders("CRM_API_KEY", "PLATFORM_API_KEY", "CRM_SIGNING_SECRET", "REPORT_LINK_SECRET", "NEWSLETTER_CODEC_KEYS", "APPROVAL_SIGNING_KEYS", "TEMPORAL_API_KEY"); err != nil {
		return err
	}
	if *webURL == "" {
		*webURL = *platformURL
	}
	linkSecrets, err := reportlink.ParseSecrets(getenv("REPORT_LINK_SECRET"))
	if err != nil {
		return fmt.Errorf("REPORT_LINK_SECRET: %w", err)
	}
	seeds, err := app.ParseSeedLists(*seedLists)
	if err != nil {
		return err
	}
	approvalKeys, err := parseApprovalKeys(getenv("APPROVAL_SIGNING_KEYS"))
	if err != nil {
		return err
	}
	logger, err := telemetry.NewLogger(os.Stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	obs, err := setupTelemetry(ctx, logger, *metricsAddr)
	if err != nil {
		return err
	}
	defer func() {
		if err := obs.close(); err != nil {
			logger.Warn("telemetry shutdown", "err", err)
		}
	}()
	httpTransport := telemetry.Transport(nil, obs.providers)

	srcs, err := app.Sources(ctx, app.SourcesFromEnv(getenv))
	if err != nil {
		return err
	}
	if err := app.CheckContentMode(*contentMode); err != nil {
		return err
	}
	store, err := app.ArtifactStore(ctx, *artifactURL, getenv("NEWSLETTER_CODEC_KEYS"))
	if err != nil {
		return err
	}
	defer store.Close()
	renderer, tax, err := app.Renderer(app.RenderConfig{TemplateDir: *templates, TaxonomyFile: *taxonomy})
	if err != nil {
		return err
	}
	creds, err := app.ReadCredentials(getenv("SOCIAL_CREDENTIALS_FILE"))
	if err != nil {
		return err
	}
	networks, err := app.Social(app.SocialFromEnv(app.WithCredentials(getenv, creds)))
	if err != nil {
		return err
	}
	crmClient := app.CRMClient(app.ServiceConfig{BaseURL: *crmURL, APIKey: getenv("CRM_API_KEY"),
		SigningSecret: getenv("CRM_SIGNING_SECRET"), Timeout: 60 * time.Second}, httpTransport, logger)
	acts := &activities.Activities{
		Sources:   srcs,
		Taxonomy:  tax,
		Renderer:  renderer,
		Artifacts: store,
		CRM:       crmClient,
		Platform: app.PlatformClient(app.ServiceConfig{BaseURL: *platformURL, APIKey: getenv("PLATFORM_API_KEY"),
			Timeout: 30 * time.Second}, httpTransport, logger),
		WebBaseURL: *webURL,
		Send:       activities.SendOptions{Window: *window, RatePerSecond: *rate, PageSize: *pageSize, ContentMode: *contentMode},
		Approvals:  activities.ApprovalOptions{Keys: approvalKeys, PublicURL: *approvalsURL, Editors: splitList(*editors)},
		Reports:    activities.ReportOptions{Source: crmClient},
		Social:     networks,
		Images:     social.ImageFetcher{HTTP: &http.Client{Timeout: 30 * time.Second}},
		SeedLists:  seeds,
	}
	aiCfg, err := app.AIFromEnv(getenv)
	if err != nil {
		return err
	}
	aiCfg.TemplateDir = *templates
	aiCfg.Store = store
	aiCfg.HTTPClient = &http.Client{Transport: httpTransport, Timeout: 2 * time.Minute}
	runner, prompts, err := app.AI(aiCfg, logger)
	if err != nil {
		return err
	}
	if len(linkSecrets) > 0 {
		acts.Reports.LinkSecret = linkSecrets[0]
	}
	if runner != nil {
		acts.AI = &activities.Suggester{Runner: runner, Prompts: prompts, Budget: aiCfg.Budget, TaskQueue: *aiQueue}
	}
	opts, err := app.TemporalOptions(logger)
	if err != nil {
		return err
	}
	if err := app.WithTelemetry(&opts, obs.providers); err != nil {
		return err
	}
	if err := app.WithCodec(&opts, getenv("NEWSLETTER_CODEC_KEYS")); err != nil {
		return err
	}
	c, err := app.Dial(ctx, opts, 30*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	w := app.NewWorker(c, *taskQueue, acts, worker.Options{})
	if acts.AI != nil {
		aw := app.NewAIWorker(c, *aiQueue, acts, *aiRate)
		if err := aw.Start(); err != nil {
			return fmt.Errorf("start the AI worker: %w", err)
		}
		defer aw.Stop()
		logger.Info("suggestions on", "model", aiCfg.Model, "aiTaskQueue", *aiQueue, "requestsPerSecond", *aiRate, "tokenBudget", aiCfg.Budget)
	}
	logger.Info("worker started", "taskQueue", *taskQueue, "crm", *crmURL, "platform", *platformURL, "socialNetworks", slices.Sorted(maps.Keys(networks)),
		"artifactStore", store.Name(), "artifactsEncrypted", store.Encrypted(), "crmContentMode", *contentMode)
	return w.Run(workerInterrupt(ctx))
}

// parseApprovalKeys reads APPROVAL_SIGNING_KEYS, without which no decision
// could ever be verified.
func parseApprovalKeys(spec string) (*token.Keyring, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, fmt.Errorf("APPROVAL_SIGNING_KEYS is not set: approval tokens are signed with it. Generate a key with 'bin/approvals new-key k1' and set APPROVAL_SIGNING_KEYS=k1:<base64> on the worker and the approvals service")
	}
	return token.ParseKeys(spec)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// workerInterrupt turns ctx's end into the channel worker.Run stops on.
func workerInterrupt(ctx context.Context) <-chan any {
	ch := make(chan any)
	go func() { <-ctx.Done(); close(ch) }()
	return ch
}
