# Statement coverage of the core packages (lapt/transfer, lapt/study,
# lapt/reason/offline): scripts/coverage.sh. `make test-go` prints it from its
# own profile (build/cover/test-go.out) and runs cover-nodata, so `make test`
# shows both modes and fails when the core tests would not cover the core
# without the benchmark files.
COVER_MIN ?= 70

.PHONY: cover cover-nodata cover-data

cover-nodata: ## Core tests with NASNB_DATA pointing nowhere (every checkout's view); fails below COVER_MIN% (70).
	@GO="$(GO)" bash scripts/coverage.sh nodata $(COVER_MIN)

cover-data: ## Core tests with the benchmark data (NASNB_DATA); prints coverage.
	@GO="$(GO)" bash scripts/coverage.sh data

cover: cover-data cover-nodata ## Coverage of the core packages with and without the benchmark data.
