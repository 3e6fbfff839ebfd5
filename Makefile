# Halcytone Content Generator
SHELL := /bin/bash
BIN   := $(CURDIR)/bin
GO    ?= go
export GOTOOLCHAIN ?= local

TEMPORAL_VERSION      := v1.5.1
MAILPIT_VERSION       := v1.33.1
WORKFLOWCHECK_VERSION := v0.6.0
AZURITE_VERSION       := 3.35.0
TOOLS := $(CURDIR)/.tools

.PHONY: all build tools test test-fast vet fmt-check workflowcheck fuzz demo demo-down demo-clean bench chaos clean

all: build

build:
	$(GO) build -o $(BIN)/worker ./worker
	$(GO) build -o $(BIN)/starter ./starter
	$(GO) build -o $(BIN)/crm ./cmd/crm
	$(GO) build -o $(BIN)/platform ./cmd/platform
	$(GO) build -o $(BIN)/codec-server ./cmd/codec-server
	$(GO) build -o $(BIN)/approvals ./cmd/approvals
	$(GO) build -o $(BIN)/socialfake ./cmd/socialfake
	$(GO) build -o $(BIN)/aifake ./cmd/aifake
	$(GO) build -o $(BIN)/smtpdiscard ./bench/cmd/smtpdiscard

$(BIN)/temporal:
	@echo "installing Temporal CLI $(TEMPORAL_VERSION) into bin/ (a few minutes the first time)"
	GOBIN=$(BIN) $(GO) install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_VERSION)

$(BIN)/mailpit:
	@echo "installing Mailpit $(MAILPIT_VERSION) into bin/"
	GOBIN=$(BIN) $(GO) install github.com/axllent/mailpit@$(MAILPIT_VERSION)

$(BIN)/workflowcheck:
	GOBIN=$(BIN) $(GO) install go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION)

# Azurite, Microsoft's Azure Storage emulator, is a Node.js package: npm
# installs it into .tools/azurite and bin/azurite-blob links its blob
# service, which the azblob:// artifact store tests start. Without npm it
# is left out (those tests then skip), except under CI=true.
$(BIN)/azurite-blob:
	@if ! command -v npm >/dev/null; then \
	  if [ "$$CI" = true ]; then echo "npm is missing: install Node.js 18 or later and npm"; exit 1; fi; \
	  echo "npm is missing: Azurite not installed, the azblob:// store tests will skip"; exit 0; \
	fi; \
	echo "installing Azurite $(AZURITE_VERSION) into .tools/azurite with npm"; \
	npm install --prefix $(TOOLS)/azurite --no-audit --no-fund --no-save --loglevel=error azurite@$(AZURITE_VERSION) && \
	mkdir -p $(BIN) && ln -sf $(TOOLS)/azurite/node_modules/.bin/azurite-blob $(BIN)/azurite-blob

tools: $(BIN)/temporal $(BIN)/mailpit $(BIN)/workflowcheck $(BIN)/azurite-blob

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

workflowcheck: $(BIN)/workflowcheck
	$(BIN)/workflowcheck ./workflows/...

# Everything: unit and workflow tests, the end-to-end stacks on the
# Temporal dev server, PostgreSQL, Mailpit and Chromium, and the short
# chaos runs, under the race detector. They need the Temporal CLI and
# Mailpit in bin/.
test: tools fmt-check vet workflowcheck
	$(GO) test -race -timeout 30m ./...

# The edit loop: unit, workflow and replay tests only. Under -short every
# test that starts a server or a browser skips and says so.
test-fast:
	$(GO) test -short -timeout 5m ./...

# A bounded fuzzing pass over every converter and the renderer (plain
# 'go test' already runs their seed corpora). The budgets are execution
# counts, a minute or two for all four here: with a duration, Go 1.26's fuzzing
# coordinator can fail at the deadline with "context deadline exceeded"
# and no crasher (go.dev/issue/75804). FUZZTIME=60s or FUZZTIME=100000x
# sets one budget for all four.
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzConvert$$' -fuzztime=$(or $(FUZZTIME),10000x) ./sources/markdown
	$(GO) test -run='^$$' -fuzz='^FuzzConvert$$' -fuzztime=$(or $(FUZZTIME),20000x) ./sources/gdocs
	$(GO) test -run='^$$' -fuzz='^FuzzConvert$$' -fuzztime=$(or $(FUZZTIME),100000x) ./sources/notion
	$(GO) test -run='^$$' -fuzz='^FuzzRender$$' -fuzztime=$(or $(FUZZTIME),5000x) ./render
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeNewsletterRequest$$' -fuzztime=$(or $(FUZZTIME),20000x) ./crm/server

# Sends to 10k, 100k and 1M generated recipients through the real worker and
# the reference CRM in log delivery mode; BENCH_SIZES=10000 runs one size.
bench: tools build
	$(GO) run ./bench/cmd/bench
	$(GO) test -run='^$$' -bench=. -benchmem ./render ./crm/mergetag
	$(GO) test -run='^$$' -bench='^Benchmark(Build|DKIMFloor)$$' ./crm/server

# The long fault run: 10 worker kills at 20k recipients, server restarts,
# a faulty CRM, a 30 s stretch of 429s mid-send; prints a CHAOS summary
# line. CHAOS_SEED repeats a failed run's fault schedule.
chaos: tools build
	CHAOS_LONG=1 $(GO) test -count=1 -v -timeout 60m -run . ./chaos | grep -E '^(CHAOS|---|ok|FAIL)'

demo: tools build
	@./scripts/demo.sh up

demo-down:
	@./scripts/demo.sh down

demo-clean:
	@./scripts/demo.sh clean

clean:
	rm -rf $(BIN)/worker $(BIN)/starter $(BIN)/crm $(BIN)/platform $(BIN)/codec-server $(BIN)/approvals $(BIN)/socialfake
