# nasnb Makefile. Two commands matter on a fresh machine:
#
#   make demo   the main job: principle transfer end to end (CLI + quickstart notebook)
#   make test   every test: Go tests, notebooks executed headless and checked, screenshot check
#
# Each installs what it needs (Debian packages, pinned Go tools, the GoNB kernel),
# and re-runs skip what is already there. Area targets live in mk/*.mk.
SHELL := /bin/bash
GO ?= go
# The Go toolchain of go.mod's `toolchain` line (gomlx v0.28.16 needs Go 1.27). A fresh machine has
# Go 1.26 with GOTOOLCHAIN=local in its go.env, so every go command gets it explicitly: the go
# command then fetches that toolchain through the module proxy once (~76 MB) and runs it.
# Make 4.3 does not pass exported variables to $(shell ...): use $(GOENV_SHELL) there.
GO_TOOLCHAIN := $(shell sed -n 's/^toolchain //p' go.mod)
export GOTOOLCHAIN ?= $(GO_TOOLCHAIN)
GOENV_SHELL = GOTOOLCHAIN=$(GOTOOLCHAIN)
SHARED_DATA ?= $(abspath ../shared/data)
export NASNB_DATA ?= $(SHARED_DATA)
BIN := build/bin/nasnb
DEMO_DIR := build/demo
# Debian packages the tests and notebooks use besides Jupyter (mk/notebooks.mk).
DATA_PKGS := dataset-fashion-mnist

.PHONY: all build test test-go test-deps vet bench fuzz demo help chaos chaos-short
all: build

help: ## List targets.
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

build: ## Build all packages and the nasnb CLI into build/bin.
	$(GO) build ./...
	$(GO) build -o $(BIN) ./cmd/nasnb

vet: ## go vet and gofmt check.
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }

test-deps: ## Debian packages the tests read (Fashion-MNIST).
	@bash scripts/ensure-apt.sh $(DATA_PKGS)

test-go: test-deps ## Go unit, example and integration tests; coverage of the core packages with and without data (mk/cover.mk).
	@mkdir -p build/cover
	$(GO) test -count=1 -coverprofile=build/cover/test-go.out ./...
	@GO="$(GO)" bash scripts/coverage.sh report build/cover/test-go.out "make test-go: NASNB_DATA=$(NASNB_DATA)"
	@$(MAKE) --no-print-directory cover-nodata

test: vet test-go chaos-short test-notebooks test-screenshot ## Everything CI runs.
	@echo "make test: all passed"

bench: ## Benchmarks: table lookups/s, the 1,000-seed x 100-evaluation REA run, loaders.
	$(GO) test -run '^$$' -bench . ./lapt/... ./datasets/...

FUZZTIME ?= 30s
fuzz: ## Run every fuzz target of the core parsers for FUZZTIME each.
	@set -e; for t in FuzzNB201Parse FuzzTransNASParse FuzzDefinedParse FuzzParseFile; do $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./lapt/space; done
	$(GO) test -run '^$$' -fuzz '^FuzzOpen$$' -fuzztime $(FUZZTIME) ./lapt/journal
	$(GO) test -run '^$$' -fuzz '^FuzzParseTable$$' -fuzztime $(FUZZTIME) ./lapt/tabular
	$(GO) test -run '^$$' -fuzz '^FuzzParseReply$$' -fuzztime $(FUZZTIME) ./lapt/reason/llm
	@set -e; for t in FuzzDecodeArchBZ2 FuzzDecodeArchPickle FuzzDecodeMetaPickle; do $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./datasets/nats; done

chaos: test-deps ## Hostile-user probe of the CLI (kill -9, two writers, bad flags, devices, LLM faults, corrupt data, fuzz); report in build/chaos.
	$(GO) run ./scripts/chaos

chaos-short: test-deps ## The chaos probe's short mode (under 2 minutes; part of make test).
	CHAOS_SHORT=1 $(GO) run ./scripts/chaos

demo: build test-deps ## The main job: LAPT transfer on NAS-Bench-201 from the CLI and the quickstart notebook.
	@mkdir -p $(DEMO_DIR)
	@echo "== nasnb principles (offline reasoner, ImageNet16-120) =="
	$(BIN) principles --space nb201 --source imagenet16-120 --reference cifar10,cifar100 --json $(DEMO_DIR)/principles.json | tee $(DEMO_DIR)/principles.txt | tail -12
	@echo
	@echo "== nasnb transfer ImageNet16-120 -> CIFAR-10, 100 seeds =="
	$(BIN) transfer --space nb201 --source imagenet16-120 --target cifar10 --seeds 0-99 --json $(DEMO_DIR)/transfer-cifar10.json | tee $(DEMO_DIR)/transfer-cifar10.txt | head -8
	@echo
	@$(MAKE) --no-print-directory demo-notebook
	@echo
	@echo "Demo outputs: $(DEMO_DIR)/ (CLI reports), build/notebooks/ (executed notebook + HTML export)"

-include mk/*.mk
