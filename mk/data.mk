# Benchmark data loaders (datasets/bench, nb201, nats, zerocost, datadir) and `nasnb data`.
DATA_FUZZTIME ?= 30s
# Short minimization: the default (60s) spends most of a 30s run minimizing
# the kilobyte-sized pickle seeds.
DATA_FUZZMIN ?= 1s
DATA_FUZZ := nb201:FuzzParseLAPTJSON nb201:FuzzParseMergedCSV zerocost:FuzzParseZeroCost \
	nats:FuzzDecodeArchPickle nats:FuzzDecodeArchBZ2 nats:FuzzDecodeMetaPickle bench:FuzzFixPythonJSON

.PHONY: data-test data-bench data-fuzz data-verify data-info

data-test: ## Tests of the benchmark data loaders and `nasnb data`.
	$(GO) test -count=1 ./datasets/bench ./datasets/nb201 ./datasets/nats ./datasets/zerocost ./datasets/datadir
	$(GO) test -count=1 -run 'TestData' ./cmd/nasnb

data-bench: ## Load-time benchmarks of the NB201 tables and NATS archive entries.
	$(GO) test -run '^$$' -bench . ./datasets/nb201 ./datasets/nats

data-fuzz: ## Run every data-parser fuzz target for DATA_FUZZTIME (default 30s) each.
	@set -e; for t in $(DATA_FUZZ); do pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "== $$pkg $$fn"; $(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(DATA_FUZZTIME) -fuzzminimizetime $(DATA_FUZZMIN) ./datasets/$$pkg; done

data-verify: ## Check the data folder ($$NASNB_DATA) against the checksums.
	$(GO) run ./cmd/nasnb data verify --dir "$(NASNB_DATA)"

data-info: ## Describe the benchmark tables in the data folder.
	$(GO) run ./cmd/nasnb data info --dir "$(NASNB_DATA)"
