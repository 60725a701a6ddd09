# Trials on Slurm (lapt/executor/slurm). The tests start a real one-node cluster under a
# temporary folder (scripts/slurm/cluster-up.sh: private munge key, free ports, 4 CPUs, 2 fake
# GPUs) and stop it by PID. Without slurmctld they fail with the install command, unless
# SLURM_TESTS=skip. CI runs as root on Debian, so `make test` installs the packages first.
.PHONY: test-slurm test-slurm-deps bench-executor

test-slurm-deps: ## Debian's slurmctld, slurmd, slurm-client and munge (skipped with SLURM_TESTS=skip).
	@if [ "$$SLURM_TESTS" = skip ]; then echo "SLURM_TESTS=skip: Slurm tests skipped"; else bash scripts/slurm/install.sh; fi

test-slurm: test-slurm-deps ## Slurm executor tests against a one-node cluster (GRES, cancel, launch failure, requeue; ~40 s).
	$(GO) test -count=1 -v ./lapt/executor/slurm

# go test ./... runs the Slurm tests too: install their packages first.
test-go: test-slurm-deps

bench-executor: build ## Determinism, local speed-up and Slurm overhead measurements (scripts/slurm/bench.sh).
	bash scripts/slurm/bench.sh
