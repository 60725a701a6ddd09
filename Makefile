# nasnb Makefile. Area-specific targets live in mk/*.mk (one file per area).
SHELL := /bin/bash
GO ?= go
export GOFLAGS ?= -mod=mod
SHARED_DATA ?= $(abspath ../shared/data)
export NASNB_DATA ?= $(SHARED_DATA)

.PHONY: all build test test-go vet bench demo help
all: build

help: ## List targets.
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

build: ## Build all packages and the nasnb CLI into build/bin.
	$(GO) build ./...
	$(GO) build -o build/bin/nasnb ./cmd/nasnb

vet:
	$(GO) vet ./...

test-go: ## Go unit tests (no notebooks).
	$(GO) test -count=1 ./...

bench: ## Benchmarks (lookups/s, 1000-seed REA run, ...).
	$(GO) test -run '^$$' -bench . ./lapt/... ./datasets/...

-include mk/*.mk
