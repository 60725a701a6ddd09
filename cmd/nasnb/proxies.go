package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/nasnb/nasnb/datasets/images"
	"github.com/nasnb/nasnb/lapt/train"
	"github.com/nasnb/nasnb/lapt/train/proxy"
)

func init() {
	register("proxies", "score NB201 architectures with zero-cost proxies (synflow, naswot) and compare with NAS-Bench-Suite-Zero", runProxies)
}

// runProxies implements "nasnb proxies".
func runProxies(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("proxies", "proxies --space nb201 --proxy synflow|naswot [--sample N --seed S]", stderr)
	spaceName := fs.String("space", "nb201", "search space (nb201)")
	proxyName := fs.String("proxy", "synflow", "proxy: synflow or naswot")
	dataset := fs.String("dataset", "cifar10", "NAS-Bench-Suite-Zero dataset: cifar10, cifar100, ImageNet16-120")
	zc := fs.String("zc", "", "zc_nasbench201.json (default: $NASNB_DATA/zero-cost/ or ../shared/data/zero-cost/)")
	sample := fs.Int("sample", 50, "number of architectures sampled from the file (0: all)")
	seed := fs.Uint64("seed", 0, "seed for sampling and initialisation")
	backend := fs.String("backend", "", "compute backend: go (default) or xla[:plugin]")
	imgData := fs.String("images", "synthetic", "NASWOT input images: synthetic, cifar10 (needs --data-dir), ...")
	dataDir := fs.String("data-dir", "", "dataset folder for --images")
	batch := fs.Int("batch", 64, "NASWOT batch size")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := (numberRules{positive: []string{"batch"}, nonNegative: []string{"sample"}}).check(fs); err != nil {
		return err
	}
	if *spaceName != "nb201" {
		return usagef("--space: only nb201 has zero-cost reference data")
	}
	if *proxyName != "synflow" && *proxyName != "naswot" {
		return usagef("--proxy must be synflow or naswot, got %q", *proxyName)
	}
	path := *zc
	if path == "" {
		base := os.Getenv("NASNB_DATA")
		if base == "" {
			base = filepath.Join("..", "shared", "data")
		}
		path = filepath.Join(base, "zero-cost", "zc_nasbench201.json")
	}
	entries, err := proxy.LoadZeroCost(path, *dataset)
	if err != nil {
		return err
	}
	if *sample > 0 && *sample < len(entries) {
		r := rand.New(rand.NewPCG(*seed, 77))
		r.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
		entries = entries[:*sample]
	}
	classes := map[string]int{"cifar10": 10, "cifar100": 100, "ImageNet16-120": 120}[*dataset]
	net := train.BenchmarkNet(classes)
	if *dataset == "ImageNet16-120" {
		net.Height, net.Width = 16, 16
	}
	var batchImgs []float32
	if *proxyName == "naswot" {
		d, _, err := images.Load(*imgData, *dataDir)
		if err != nil {
			return err
		}
		if d.Height != net.Height || d.Width != net.Width || d.Channels != 3 {
			return usagef("--images %s is %dx%dx%d, the network needs %dx%dx3", *imgData, d.Height, d.Width, d.Channels, net.Height, net.Width)
		}
		mean, std := d.MeanStd()
		d = d.Head(*batch)
		if err := d.Normalize(mean, std); err != nil {
			return err
		}
		batchImgs = d.Images
	}
	key := map[string]string{"synflow": "synflow", "naswot": "nwot"}[*proxyName]
	var ours, theirs, acc []float64
	start := time.Now()
	for i, e := range entries {
		var s float64
		if *proxyName == "synflow" {
			s, err = proxy.Synflow(ctx, *backend, e.Arch, net, *seed)
		} else {
			s, err = proxy.NASWOT(ctx, *backend, e.Arch, net, *seed, batchImgs, *batch)
		}
		if err != nil {
			return fmt.Errorf("%s on %s: %w", *proxyName, e.Arch, err)
		}
		ours = append(ours, s)
		theirs = append(theirs, e.Scores[key])
		acc = append(acc, e.ValAcc)
		if (i+1)%100 == 0 {
			fmt.Fprintf(stderr, "%d/%d\n", i+1, len(entries))
		}
	}
	el := time.Since(start)
	fmt.Fprintf(stdout, "%s on %d %s architectures: Spearman vs NAS-Bench-Suite-Zero %s %.4f; vs val accuracy %.4f (reference proxy vs val accuracy %.4f); %.1f ms per architecture\n",
		*proxyName, len(entries), *dataset, key, proxy.Spearman(ours, theirs), proxy.Spearman(ours, acc), proxy.Spearman(theirs, acc),
		1000*el.Seconds()/float64(len(entries)))
	return nil
}
