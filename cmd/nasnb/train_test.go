package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/internal/datatest"
)

func TestRunTrainSynthetic(t *testing.T) {
	var out, errb bytes.Buffer
	err := runTrain(context.Background(), []string{"--arch", "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|skip_connect~2|",
		"--dataset", "synthetic", "--epochs", "1", "--channels", "4", "--cells", "1", "--batch", "32", "--max-train-images", "128", "--val", "64"}, &out, &errb)
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "status ok") {
		t.Errorf("output: %s", out.String())
	}
}

func TestRunTrainUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if err := runTrain(context.Background(), []string{"--dataset", "synthetic"}, &out, &errb); err == nil {
		t.Error("missing --arch should fail")
	} else if _, ok := err.(usageError); !ok {
		t.Errorf("want usage error, got %T %v", err, err)
	}
	if err := runTrain(context.Background(), []string{"--arch", "|x~0|"}, &out, &errb); err == nil {
		t.Error("bad arch should fail")
	}
	if err := runTrain(context.Background(), []string{"--arch", "|skip_connect~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|", "--dataset", "cifar10", "--data-dir", t.TempDir()}, &out, &errb); err == nil || !strings.Contains(err.Error(), "cifar-10-binary.tar.gz") {
		t.Errorf("missing CIFAR should say how to get it: %v", err)
	}
	if err := runTrain(context.Background(), []string{"--bogus"}, &out, &errb); err == nil {
		t.Error("unknown flag should fail")
	}
}

func TestRunProxies(t *testing.T) {
	zc := datatest.File(t, "zero-cost/zc_nasbench201.json")
	var out, errb bytes.Buffer
	if err := runProxies(context.Background(), []string{"--proxy", "synflow", "--sample", "3", "--zc", zc}, &out, &errb); err != nil {
		t.Fatalf("%v %s", err, errb.String())
	}
	if !strings.Contains(out.String(), "Spearman") {
		t.Errorf("output %q", out.String())
	}
	if err := runProxies(context.Background(), []string{"--proxy", "naswot", "--sample", "2", "--batch", "8", "--zc", zc}, &out, &errb); err != nil {
		t.Fatalf("naswot: %v", err)
	}
	if err := runProxies(context.Background(), []string{"--proxy", "grasp"}, &out, &errb); err == nil {
		t.Error("unknown proxy should fail")
	}
}
