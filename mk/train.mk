# Real training with GoMLX (lapt/train, datasets/images, nasnb train/proxies).
.PHONY: train-smoke train-fmnist bench-train proxies-synflow build-xla test-train

SMOKE_ARCH ?= |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|

train-smoke: ## Tiny CPU training run on synthetic data (seconds).
	$(GO) run ./cmd/nasnb train --arch '$(SMOKE_ARCH)' --dataset synthetic --epochs 2 --channels 4 --cells 1 --batch 64 --max-train-images 512 --val 128

train-fmnist: ## One epoch on a 5k subset of Fashion-MNIST (apt-get install dataset-fashion-mnist).
	$(GO) run ./cmd/nasnb train --arch '$(SMOKE_ARCH)' --dataset fashion-mnist --epochs 1 --channels 8 --cells 1 --batch 128 --max-train-images 5000 --val 1000

bench-train: ## CPU images/s and time to first step (go backend, plain and GOEXPERIMENT=simd).
	$(GO) test -run '^$$' -bench BenchmarkTrain -benchtime 1x ./lapt/train
	GOEXPERIMENT=simd $(GO) test -run '^$$' -bench BenchmarkTrain -benchtime 1x ./lapt/train

proxies-synflow: ## Synflow vs NAS-Bench-Suite-Zero on all ~724 CIFAR-10 archs (Spearman, ms/arch).
	$(GO) run ./cmd/nasnb proxies --space nb201 --proxy synflow --sample 0

test-train: ## Unit tests of the training packages (short mode).
	$(GO) test -count=1 -short ./lapt/train/... ./datasets/images/

build-xla: ## Build the XLA-enabled CLI (cgo) for the GPU machine.
	CGO_ENABLED=1 $(GO) build -tags xla -o build/bin/nasnb-xla ./cmd/nasnb
