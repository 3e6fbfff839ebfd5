# Halcytone Content Generator
SHELL := /bin/bash
BIN   := $(CURDIR)/bin
GO    ?= go
export GOTOOLCHAIN ?= local

TEMPORAL_VERSION      := v1.5.1
MAILPIT_VERSION       := v1.33.1
WORKFLOWCHECK_VERSION := v0.6.0

.PHONY: all build tools test vet fmt-check workflowcheck demo demo-down demo-clean bench chaos clean

all: build

build:
	$(GO) build -o $(BIN)/worker ./worker
	$(GO) build -o $(BIN)/starter ./starter
	$(GO) build -o $(BIN)/crm ./cmd/crm
	$(GO) build -o $(BIN)/platform ./cmd/platform
	$(GO) build -o $(BIN)/codec-server ./cmd/codec-server

$(BIN)/temporal:
	@echo "installing Temporal CLI $(TEMPORAL_VERSION) into bin/ (a few minutes the first time)"
	GOBIN=$(BIN) $(GO) install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_VERSION)

$(BIN)/mailpit:
	@echo "installing Mailpit $(MAILPIT_VERSION) into bin/"
	GOBIN=$(BIN) $(GO) install github.com/axllent/mailpit@$(MAILPIT_VERSION)

$(BIN)/workflowcheck:
	GOBIN=$(BIN) $(GO) install go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION)

tools: $(BIN)/temporal $(BIN)/mailpit $(BIN)/workflowcheck

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

workflowcheck: $(BIN)/workflowcheck
	$(BIN)/workflowcheck ./workflows/...

# The tests need the Temporal CLI (dev server) and Mailpit in bin/.
test: tools fmt-check vet workflowcheck
	$(GO) test -race -timeout 15m ./...

demo: tools build
	@./scripts/demo.sh up

demo-down:
	@./scripts/demo.sh down

demo-clean:
	@./scripts/demo.sh clean

clean:
	rm -rf $(BIN)/worker $(BIN)/starter $(BIN)/crm $(BIN)/platform $(BIN)/codec-server
