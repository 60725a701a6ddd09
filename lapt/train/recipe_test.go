package train

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/eval"
)

func TestSettingsEnvAndFlags(t *testing.T) {
	c := TinyConfig()
	env := map[string]string{"NASNB_TRAIN_CHANNELS": "8", "NASNB_TRAIN_LR": "0.05", "NASNB_TRAIN_NESTEROV": "0"}
	if err := FromEnv(&c, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if c.Channels != 8 || c.LR != 0.05 || c.Nesterov || c.Cells != 1 {
		t.Fatalf("FromEnv: %+v", c)
	}
	err := FromEnv(&c, func(k string) (string, bool) { return "x", k == "NASNB_TRAIN_EPOCHS" })
	if err == nil || !strings.Contains(err.Error(), "NASNB_TRAIN_EPOCHS") {
		t.Fatalf("bad value: %v", err)
	}
	d := TinyData("synthetic")
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	BindFlags(fs, &c, "")
	BindFlags(fs, &d, "")
	if err := fs.Parse([]string{"--epochs", "3", "--val", "64", "--augment"}); err != nil {
		t.Fatal(err)
	}
	if c.Epochs != 3 || d.Val != 64 || !d.Augment {
		t.Fatalf("flags: %+v %+v", c, d)
	}
}

func TestTrialSpecRoundTrip(t *testing.T) {
	s := TrialSpec{ID: "t1", Arch: "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|none~1|avg_pool_3x3~2|",
		Config: TinyConfig(), Data: TinyData("synthetic")}
	s.Data.TrainImages, s.Data.Val, s.Data.Test = 64, 32, 32
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back TrialSpec
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Hash() != s.Hash() {
		t.Fatalf("hash changed through JSON")
	}
	gpu := back
	gpu.Config.Backend, gpu.ID = "xla:cuda", "other"
	if gpu.Hash() != s.Hash() {
		t.Fatalf("backend or id must not change the recipe hash")
	}
	gpu.Config.Epochs = 2
	if gpu.Hash() == s.Hash() {
		t.Fatalf("epochs must change the recipe hash")
	}
	r1, err := RunTrial(context.Background(), back, nil)
	if err != nil || r1.Status != eval.OK {
		t.Fatalf("RunTrial: %v %+v", err, r1)
	}
	r2, _ := RunTrial(context.Background(), s, nil)
	if r1.Metrics.Val != r2.Metrics.Val || r1.Metrics.Extra["train_loss"] != r2.Metrics.Extra["train_loss"] {
		t.Fatalf("same spec, different results: %v vs %v", r1.Metrics, r2.Metrics)
	}
	bad := s
	bad.Arch = "|bogus~0|"
	if _, err := RunTrial(context.Background(), bad, nil); err == nil {
		t.Fatal("bad arch accepted")
	}
	bad = s
	bad.Data.Dataset = "imagenet"
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "imagenet") {
		t.Fatalf("bad dataset: %v", err)
	}
}

func ExampleFromEnv() {
	c := TinyConfig()
	env := map[string]string{"NASNB_TRAIN_EPOCHS": "3"}
	_ = FromEnv(&c, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	fmt.Println(c.Channels, c.Cells, c.Epochs, c.BatchSize)
	// Output: 4 1 3 32
}
