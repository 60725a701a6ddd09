# Real training with GoMLX (lapt/train, datasets/images, nasnb train/proxies).
.PHONY: train-smoke train-fmnist bench-train profile-train proxies-synflow build-xla test-train \
        transfer-train-smoke transfer-train-fmnist check-fmnist race-train mf-sim mf-fmnist mf-fmnist-loop

SMOKE_ARCH ?= |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|

train-smoke: ## Tiny CPU training run on synthetic data (seconds).
	$(GO) run ./cmd/nasnb train --arch '$(SMOKE_ARCH)' --dataset synthetic --epochs 2 --channels 4 --cells 1 --batch 64 --max-train-images 512 --val 128

FMNIST_DIR ?= /usr/share/datasets/fashion-mnist

check-fmnist: ## Fail with the install command when Debian's Fashion-MNIST is missing.
	@test -f $(FMNIST_DIR)/train-images-idx3-ubyte.gz || { \
	  echo "Fashion-MNIST not found in $(FMNIST_DIR): run 'apt-get install -y dataset-fashion-mnist' (or 'make test-deps')" >&2; exit 1; }

# Notebook 05-training trains on Fashion-MNIST: test-deps installs it when missing.
test-notebooks: test-deps

train-fmnist: check-fmnist ## One epoch on a 5k subset of Fashion-MNIST (apt-get install dataset-fashion-mnist).
	$(GO) run ./cmd/nasnb train --arch '$(SMOKE_ARCH)' --dataset fashion-mnist --epochs 1 --channels 8 --cells 1 --batch 128 --max-train-images 5000 --val 1000

# Both builds are measured: GOEXPERIMENT=simd is ~2x faster per CPU-second but not the default,
# because Go 1.27.3's archsimd LoadFloat32x16Part reads a full vector past the end of a slice and
# can crash (SIGSEGV) for channel counts that are not a multiple of 16 (docs/training.md).
bench-train: ## CPU img/s and time to first step, tiny (C=8,N=1) and benchmark (C=16,N=5) nets, vs PyTorch in the same run.
	GO=$(GO) scripts/bench-train.sh

PROFILE_NET ?= Tiny
profile-train: ## CPU profile of a training benchmark (PROFILE_NET=Tiny|BenchmarkNet): build/train.prof, top 25 printed.
	@mkdir -p build
	$(GO) test -run '^$$' -bench BenchmarkTrain$(PROFILE_NET) -benchtime 1x -cpuprofile build/train.prof -o build/train.test ./lapt/train
	$(GO) tool pprof -top -nodecount 25 build/train.test build/train.prof

TRANSFER_TRAIN_FLAGS ?= --budget 6 --population 3 --seeds 0

transfer-train-smoke: ## LAPT transfer, target = real training on synthetic 8x8 data (seconds; resumes from build/transfer-train).
	$(GO) run ./cmd/nasnb transfer --evaluator train --target synthetic $(TRANSFER_TRAIN_FLAGS) --journal build/transfer-train/synthetic

transfer-train-fmnist: check-fmnist ## LAPT transfer ImageNet16-120 -> Fashion-MNIST with tiny CPU training (NASNB_TRAIN_* to scale up).
	$(GO) run ./cmd/nasnb transfer --evaluator train --target fashion-mnist $(TRANSFER_TRAIN_FLAGS) --journal build/transfer-train/fashion-mnist

proxies-synflow: ## Synflow vs NAS-Bench-Suite-Zero on all ~724 CIFAR-10 archs (Spearman, ms/arch).
	$(GO) run ./cmd/nasnb proxies --space nb201 --proxy synflow --sample 0

test-train: ## Unit tests of the training packages (short mode).
	$(GO) test -count=1 -short ./lapt/train/... ./datasets/images/

build-xla: ## Build the XLA-enabled CLI (cgo) for the GPU machine.
	CGO_ENABLED=1 $(GO) build -tags xla -o build/bin/nasnb-xla ./cmd/nasnb

race-train: ## Race detector on the training packages (checkptr off: compute's matmul trips it; see docs/training.md).
	CGO_ENABLED=1 $(GO) test -race -gcflags=all=-d=checkptr=0 -count=1 -short ./lapt/train/...

mf-sim: ## NB201 two-rung (12/200 epochs) simulation: REA and LAPT with/without successive halving, 100 seeds.
	$(GO) test -count=1 -run TestNB201TwoRung -v ./lapt/mfsim

mf-fmnist: check-fmnist ## Real multi-fidelity LAPT run on Fashion-MNIST on CPU (tiny; best val vs training seconds).
	NASNB_MF_FMNIST=1 $(GO) test -count=1 -timeout 30m -run TestMultiFidelityLAPTFashionMNIST -v ./lapt/train

mf-fmnist-loop: check-fmnist ## The whole LAPT loop (adaptation told 1-epoch results) under successive halving, real CPU training on Fashion-MNIST.
	NASNB_MF_FMNIST=1 $(GO) test -count=1 -timeout 30m -run TestMultiFidelityTransferLoopFashionMNIST -v ./lapt/train
