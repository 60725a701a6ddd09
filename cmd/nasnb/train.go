package main

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/nasnb/nasnb/datasets/images"
	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/train"
)

func init() {
	register("train", "train one architecture for real with GoMLX (CPU go backend, or xla)", runTrain)
}

// runTrain implements "nasnb train".
func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", "train --arch STR --dataset fashion-mnist|mnist|cifar10|cifar100|synthetic --epochs N [flags]", stderr)
	// The recipe flags come from train.Config's tags; defaults are the
	// NAS-Bench-201 recipe (train.DefaultConfig: C=16, N=5, 200 epochs, ...).
	cfg := train.DefaultConfig()
	train.BindFlags(fs, &cfg, "")
	fs.Var(fs.Lookup("weight-decay").Value, "wd", "alias of --weight-decay")
	arch := fs.String("arch", "", "architecture: NB201 string (|op~0|+|...|) or TransNAS micro (64-41414-a_bc_def)")
	dataset := fs.String("dataset", "synthetic", "dataset: fashion-mnist, mnist, cifar10, cifar100 or synthetic")
	dataDir := fs.String("data-dir", "", "dataset folder or CIFAR tarball (default: standard location for fashion-mnist/mnist)")
	seed := fs.Uint64("seed", 0, "seed for initialisation, shuffling, augmentation and the validation split")
	val := fs.Int("val", 0, "held-out validation images taken from the training set (default: 10% up to 5000)")
	maxTrain := fs.Int("max-train-images", 0, "cap on training images (0: all)")
	quiet := fs.Bool("quiet", false, "no per-epoch lines")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := (numberRules{positive: []string{"epochs", "channels", "cells", "batch", "lr"}, nonNegative: []string{"momentum", "wd", "weight-decay", "eval-batch", "schedule-epochs", "val", "max-train-images"}}).check(fs); err != nil {
		return err
	}
	if *arch == "" {
		return usagef("--arch is required")
	}
	if _, err := train.Parse(*arch); err != nil {
		return usagef("%v", err)
	}
	if cfg.Epochs <= 0 || cfg.BatchSize <= 0 || !(cfg.LR > 0) || cfg.Channels <= 0 || cfg.Cells <= 0 {
		return usagef("--epochs, --batch, --lr, --channels and --cells must be positive")
	}
	trainSet, test, err := images.Load(*dataset, *dataDir)
	if err != nil {
		return err
	}
	if *maxTrain > 0 {
		trainSet = trainSet.Head(*maxTrain + *val)
	}
	nVal := *val
	if nVal == 0 {
		nVal = min(trainSet.Len()/10, 5000)
	}
	tr, va, err := trainSet.Split(nVal, *seed)
	if err != nil {
		return usagef("%v", err)
	}
	mean, std := tr.MeanStd()
	for _, d := range []*images.Dataset{tr, va, test} {
		if err := d.Normalize(mean, std); err != nil {
			return err
		}
	}
	cfg.Seed, cfg.MaxTrainImages = *seed, *maxTrain
	if !*quiet {
		cfg.OnEpoch.Add("nasnb.epochs", 0, func(e train.EpochInfo) error {
			fmt.Fprintf(stdout, "epoch %d: train loss %.4f, val acc %.2f%%, %d images, %.1fs\n", e.Epoch, e.TrainLoss, e.ValAcc, e.Images, e.Elapsed.Seconds())
			return nil
		})
	}
	fmt.Fprintf(stdout, "training %s on %s (%d train / %d val / %d test images, %dx%dx%d), C=%d N=%d, %d epochs, batch %d\n",
		*arch, *dataset, tr.Len(), va.Len(), test.Len(), tr.Height, tr.Width, tr.Channels, cfg.Channels, cfg.Cells, cfg.Epochs, cfg.BatchSize)
	res, err := train.Train(ctx, *arch, cfg, train.Data{Train: tr, Val: va, Test: test})
	if err != nil {
		return usagef("%v", err)
	}
	fmt.Fprintf(stdout, "status %s: val acc %.2f%%, test acc %.2f%%, params %.6f M, FLOPs %.3f M, %.1fs (first step %.2fs), %d images (%.0f img/s)\n",
		res.Status, res.ValAcc, res.TestAcc, float64(res.Params)/1e6, float64(res.FLOPs)/1e6, res.Seconds, res.FirstStep.Seconds(), res.Images,
		float64(res.Images)/math.Max(res.Seconds, 1e-9))
	if res.Checkpoint != "" {
		fmt.Fprintf(stdout, "checkpoint: %s\n", res.Checkpoint)
	}
	if res.Status != eval.OK {
		return fmt.Errorf("training %s: %s", res.Status, res.Err)
	}
	return nil
}
