package train

import (
	"context"
	"github.com/nasnb/nasnb/lapt/eval"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	"github.com/nasnb/nasnb/datasets/images"
)

// loadVars reads every variable of a checkpoint folder as flat float32/int data.
func loadVars(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	store := model.NewStore()
	if _, err := checkpoint.Build(store).Dir(dir).Immediate().Done(); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for v := range store.IterVariables() {
		if strings.HasPrefix(v.Path(), "/metrics/") {
			continue // GoMLX's moving-average loss metric: named per trainer, not training state
		}
		v.MustValue().ConstBytes(func(b []byte) { out[v.Path()] = append([]byte(nil), b...) })
	}
	return out
}

// TestResumeEqualsUnpaused: 1 epoch, checkpoint, resume to 2 epochs gives
// bit for bit the variables and scores of an unpaused 2-epoch run when the
// learning-rate schedule is defined over the maximum fidelity (2 epochs).
func TestResumeEqualsUnpaused(t *testing.T) {
	data := tinyData(t, 128, 8, 3)
	cfg := DefaultConfig()
	cfg.Channels, cfg.Cells, cfg.BatchSize, cfg.LR, cfg.ScheduleEpochs = 4, 1, 32, 0.05, 2
	noAug := images.Augment{}
	cfg.Augment = &noAug
	arch := "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|skip_connect~2|"
	run := func(epochs int, resumeFrom, ckpt string) Result {
		c := cfg
		c.Epochs, c.ResumeFrom, c.CheckpointDir = epochs, resumeFrom, ckpt
		res, err := Train(context.Background(), arch, c, data)
		if err != nil || res.Status != eval.OK {
			t.Fatalf("train %d epochs from %q: %v %+v", epochs, resumeFrom, err, res)
		}
		return res
	}
	dirA, dirB1, dirB2 := t.TempDir(), t.TempDir(), t.TempDir()
	a := run(2, "", dirA)
	b1 := run(1, "", dirB1)
	b2 := run(2, filepath.Join(dirB1, CheckpointName(arch, cfg.Seed)), dirB2)
	if b1.Epochs != 1 || b2.Epochs != 2 || b2.Images != a.Images {
		t.Fatalf("epochs %d/%d images %d vs %d", b1.Epochs, b2.Epochs, b2.Images, a.Images)
	}
	if math.Float64bits(a.TrainLoss) != math.Float64bits(b2.TrainLoss) || a.ValAcc != b2.ValAcc || a.TestAcc != b2.TestAcc {
		t.Errorf("resumed run differs: loss %v vs %v, val %v vs %v", a.TrainLoss, b2.TrainLoss, a.ValAcc, b2.ValAcc)
	}
	va, vb := loadVars(t, a.Checkpoint), loadVars(t, b2.Checkpoint)
	if len(va) == 0 || len(va) != len(vb) {
		t.Fatalf("%d vs %d variables", len(va), len(vb))
	}
	diff := 0
	for name, x := range va {
		if string(x) != string(vb[name]) {
			diff++
			t.Logf("variable %s differs", name)
		}
	}
	if diff > 0 {
		t.Errorf("%d of %d variables differ after resuming", diff, len(va))
	}
	// Resuming past the asked epochs, or from a missing folder, is an error.
	c := cfg
	c.Epochs, c.ResumeFrom = 2, filepath.Join(dirB1, "missing")
	if res, err := Train(context.Background(), arch, c, data); err == nil && res.Status == eval.OK {
		t.Error("missing checkpoint accepted")
	}
}
