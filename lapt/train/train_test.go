package train

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/nasnb/nasnb/datasets/images"
	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/hook"
	"github.com/nasnb/nasnb/lapt/space"
)

func tinyData(t testing.TB, n, hw, ch int) Data {
	all, err := images.Synthetic(n+64, hw, hw, ch, 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	tr, val, err := all.Split(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	return Data{Train: tr, Val: val, Test: val}
}

func TestTrainTinyLearns(t *testing.T) {
	data := tinyData(t, 256, 8, 3)
	cfg := DefaultConfig()
	cfg.Channels, cfg.Cells, cfg.Epochs, cfg.BatchSize, cfg.LR = 8, 1, 6, 32, 0.05
	noAug := images.Augment{}
	cfg.Augment = &noAug
	cfg.CheckpointDir = t.TempDir()
	var steps, epochs int
	cfg.OnStep.Add("count", 0, func(StepInfo) error { steps++; return nil })
	cfg.OnEpoch.Add("log", 0, func(e EpochInfo) error {
		epochs++
		t.Logf("epoch %d loss %.3f val %.1f%%", e.Epoch, e.TrainLoss, e.ValAcc)
		return nil
	})
	res, err := Train(context.Background(), "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|skip_connect~2|", cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if res.Status != eval.OK {
		t.Fatalf("status %s: %s", res.Status, res.Err)
	}
	if steps != 6*8 || epochs != 6 || res.Images != 6*8*32 {
		t.Errorf("steps %d epochs %d images %d", steps, epochs, res.Images)
	}
	if res.ValAcc < 50 || math.IsNaN(res.TestAcc) || res.Checkpoint == "" {
		t.Errorf("did not learn: val %.1f test %.1f", res.ValAcc, res.TestAcc)
	}
}

// A subscriber's error or panic stops the training and is returned (named),
// not counted as the candidate's failure.
func TestTrainHookErrorStops(t *testing.T) {
	data := tinyData(t, 128, 8, 3)
	cfg := DefaultConfig()
	cfg.Channels, cfg.Cells, cfg.Epochs, cfg.BatchSize, cfg.LR = 4, 1, 3, 32, 0.05
	noAug := images.Augment{}
	cfg.Augment = &noAug
	arch := "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|skip_connect~2|"
	errStop := errors.New("stop")
	steps := 0
	c := cfg
	c.OnStep.Add("stop-at-5", 0, func(s StepInfo) error {
		steps++
		if s.Step == 5 {
			return errStop
		}
		return nil
	})
	res, err := Train(context.Background(), arch, c, data)
	var he *hook.Error
	if !errors.As(err, &he) || he.Point != "train.OnStep" || he.Name != "stop-at-5" || !errors.Is(err, errStop) || steps != 5 || res.Status != eval.Failed {
		t.Fatalf("step hook: %v after %d steps, %+v", err, steps, res)
	}
	c = cfg
	c.OnEpoch.Add("boom", 0, func(EpochInfo) error { panic("boom") })
	res, err = Train(context.Background(), arch, c, data)
	if !errors.As(err, &he) || he.Point != "train.OnEpoch" || he.Panic != "boom" || res.Epochs != 1 {
		t.Fatalf("epoch hook: %v, %+v", err, res)
	}
}

func TestTrainDivergesAndBadInput(t *testing.T) {
	data := tinyData(t, 64, 8, 1)
	cfg := DefaultConfig()
	cfg.Channels, cfg.Cells, cfg.Epochs, cfg.BatchSize, cfg.LR = 4, 1, 2, 32, 1e12
	res, err := Train(context.Background(), "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != eval.Diverged {
		t.Errorf("want diverged, got %s (%s)", res.Status, res.Err)
	}
	if _, err := Train(context.Background(), "|bogus~0|", cfg, data); err == nil {
		t.Error("want error for bad arch")
	}
	cfg.Backend = "nope"
	if res, err := Train(context.Background(), "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|", cfg, data); err != nil || res.Status != eval.Failed {
		t.Errorf("bad backend: %v %+v", err, res)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	cfg.Backend, cfg.LR = "", 0.1
	if res, _ := Train(ctx, "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|", cfg, data); res.Status != eval.Failed {
		t.Errorf("cancelled run: %+v", res)
	}
}

func TestEvaluatorNB201(t *testing.T) {
	data := tinyData(t, 64, 8, 3)
	cfg := DefaultConfig()
	cfg.Channels, cfg.Cells, cfg.Epochs, cfg.BatchSize = 4, 1, 1, 32
	ev, err := NewEvaluator(space.NB201(), cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	a, err := space.NB201().Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
	if err != nil {
		t.Fatal(err)
	}
	r, err := ev.Evaluate(context.Background(), a)
	if err != nil || r.Status != eval.OK || r.Cost.Images != 64 || r.Metrics.Fidelity != 1 {
		t.Fatalf("%v %+v", err, r)
	}
}
