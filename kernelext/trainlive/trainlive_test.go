package trainlive

import (
	"bytes"
	"context"
	"github.com/nasnb/nasnb/lapt/eval"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/nasnb/nasnb/kernelext"
	"github.com/nasnb/nasnb/lapt/train"
)

func TestStepEvent(t *testing.T) {
	ev := StepEvent(train.StepInfo{Epoch: 1, Step: 20, TotalSteps: 32, Loss: 1.5, Elapsed: time.Second}, 2, 31.25)
	want := kernelext.TrainEvent{Epoch: 2, Epochs: 2, Step: 4, Steps: 16, Loss: 1.5, Metric: 31.25, MetricName: "val acc", Elapsed: time.Second}
	if ev != want {
		t.Errorf("StepEvent = %+v, want %+v", ev, want)
	}
	if ev := StepEvent(train.StepInfo{Step: 3, TotalSteps: 10}, 0, math.NaN()); ev.Step != 3 || ev.Steps != 0 || ev.Epoch != 1 {
		t.Errorf("unknown epochs: %+v", ev)
	}
}

// Attach feeds the loss curve per step and the accuracy curve per epoch, and
// keeps hooks that were already set.
func TestAttachAndFinish(t *testing.T) {
	var buf bytes.Buffer
	old := kernelext.Out
	kernelext.Out = &buf
	defer func() { kernelext.Out = old }()
	l := New("training 2 candidates", 2)
	earlier := 0
	cfg := train.TinyConfig()
	cfg.Epochs = 2
	cfg.OnStep.Add("earlier", 0, func(train.StepInfo) error { earlier++; return nil })
	c := l.Attach(cfg, CandidateName(0))
	for s := 1; s <= 4; s++ {
		st := train.StepInfo{Epoch: (s - 1) / 2, Step: s, TotalSteps: 4, Loss: 2 - 0.1*float64(s)}
		if err := c.OnStep.Call("OnStep", func(f func(train.StepInfo) error) error { return f(st) }); err != nil {
			t.Fatal(err)
		}
		if s%2 == 0 {
			ep := train.EpochInfo{Epoch: s / 2, ValAcc: 10 * float64(s)}
			if err := c.OnEpoch.Call("OnEpoch", func(f func(train.EpochInfo) error) error { return f(ep) }); err != nil {
				t.Fatal(err)
			}
		}
	}
	l.Finish(train.Result{Arch: "a", Status: eval.OK, ValAcc: 40})
	l.Finish(train.Result{Arch: "b", Status: eval.Diverged, ValAcc: 99})
	l.Close()
	if earlier != 4 {
		t.Errorf("the recipe's own OnStep ran %d times, want 4", earlier)
	}
	loss, acc := l.Loss.Chart(), l.Acc.Chart()
	if len(loss.Curves) != 1 || loss.Curves[0].Name != "candidate 1" || len(loss.Curves[0].Runs[0]) != 4 {
		t.Fatalf("loss curves %+v", loss.Curves)
	}
	if got := acc.Curves[0].Runs[0]; len(got) != 2 || got[1] != 40 {
		t.Errorf("accuracy curve %v", got)
	}
	if txt := l.Progress.Text(); !strings.Contains(txt, "trial 2/2") || !strings.Contains(txt, "best 40 ·") {
		t.Errorf("progress (a diverged candidate must not be the best):\n%s", txt)
	}
}

func TestScaleAndEnv(t *testing.T) {
	tiny, err := Scale("")
	if err != nil || tiny.Scale != "tiny" || tiny.Config.Channels != 4 || tiny.Config.Epochs != 2 || tiny.Data.TrainImages != 512 || tiny.Config.LR != 0.1 {
		t.Fatalf("tiny: %+v %v", tiny, err)
	}
	if _, err := Scale("huge"); err == nil || !strings.Contains(err.Error(), `"huge"`) {
		t.Errorf("unknown scale: %v", err)
	}
	env := map[string]string{"NASNB_NOTEBOOK_SCALE": "full", "NASNB_TRAIN_EPOCHS": "3", "NASNB_TRAIN_BACKEND": "go", "NASNB_TRAIN_VAL": "100"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	r, err := FromEnv(lookup)
	if err != nil || r.Scale != "full" || r.Config.Channels != 16 || r.Config.Epochs != 3 || r.Config.Backend != "go" || r.Data.Val != 100 {
		t.Fatalf("from env: %+v %v", r, err)
	}
	if !strings.Contains(r.String(), "scale full: C=16 N=5, 3 epochs") {
		t.Errorf("String: %s", r)
	}
	env["NASNB_TRAIN_EPOCHS"] = "many"
	if _, err := FromEnv(lookup); err == nil || !strings.Contains(err.Error(), "NASNB_TRAIN_EPOCHS") {
		t.Errorf("bad variable: %v", err)
	}
	env["NASNB_NOTEBOOK_SCALE"] = "medium"
	if _, err := FromEnv(lookup); err == nil || !strings.Contains(err.Error(), "NASNB_NOTEBOOK_SCALE") {
		t.Errorf("bad scale: %v", err)
	}
}

// Two tiny candidates really trained on synthetic images (seconds on a CPU).
func TestTrainAllSynthetic(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two tiny networks")
	}
	var buf bytes.Buffer
	old := kernelext.Out
	kernelext.Out = &buf
	defer func() { kernelext.Out = old }()
	r := Recipe{Scale: "test", Config: train.TinyConfig(), Data: train.DataSpec{Dataset: "synthetic", TrainImages: 32, Val: 16, Test: 16, SyntheticHW: 8}}
	r.Config.Channels, r.Config.BatchSize, r.Config.Backend = 2, 16, "go"
	data, err := r.Prepare()
	if err != nil {
		t.Fatal(err)
	}
	archs := []string{
		"|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|",
		"|nor_conv_1x1~0|+|nor_conv_1x1~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|none~2|",
	}
	res, err := TrainAll(context.Background(), "two candidates", archs, r.Config, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Arch != archs[0] || res[1].Images == 0 {
		t.Fatalf("results %+v", res)
	}
	h, rows := ResultsTable(res)
	if len(h) != 9 || len(rows) != 2 || rows[1][0] != "candidate 2" {
		t.Errorf("table %v %v", h, rows)
	}
	best, ok, secs, imgs := Pick(res)
	if ok > 0 && (best < 0 || res[best].Status != eval.OK) || secs <= 0 || imgs != res[0].Images+res[1].Images {
		t.Errorf("Pick = %d %d %v %d", best, ok, secs, imgs)
	}
	if !strings.Contains(buf.String(), "two candidates") {
		t.Errorf("no progress printed:\n%s", buf.String())
	}
}

func TestPick(t *testing.T) {
	res := []train.Result{{Status: eval.OK, ValAcc: 30, Seconds: 1, Images: 10}, {Status: eval.Failed, ValAcc: math.NaN(), Seconds: 2},
		{Status: eval.OK, ValAcc: 35, Seconds: 3, Images: 5}}
	if best, ok, secs, imgs := Pick(res); best != 2 || ok != 2 || secs != 6 || imgs != 15 {
		t.Errorf("Pick = %d %d %v %d", best, ok, secs, imgs)
	}
	if best, ok, _, _ := Pick(res[1:2]); best != -1 || ok != 0 {
		t.Errorf("none trained: %d %d", best, ok)
	}
	if Pct(math.NaN()) != "–" || Pct(12.345) != "12.35" {
		t.Error("Pct")
	}
}
