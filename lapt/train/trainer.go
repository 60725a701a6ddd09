package train

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	gtrain "github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/nasnb/nasnb/datasets/images"
	"github.com/nasnb/nasnb/lapt/eval"
	"github.com/nasnb/nasnb/lapt/hook"
	"github.com/nasnb/nasnb/lapt/space"
)

// Config is a training recipe. [DefaultConfig] is the NAS-Bench-201 recipe,
// [TinyConfig] the seconds-per-candidate CPU recipe. It is serialisable: the
// JSON form (without the hooks) is what trial specs and journals record, and
// the NASNB_TRAIN_* environment variables and command-line flags are derived
// from its tags (see [Settings]).
type Config struct {
	// Channels and Cells of the macro skeleton (16 and 5 in the benchmark).
	Channels int `json:"channels" help:"channels C of the first stage (benchmark: 16)"`
	Cells    int `json:"cells" help:"cells N per stage (benchmark: 5)"`
	// Epochs is the fidelity: the number of passes over the training set.
	Epochs int `json:"epochs" help:"training epochs per candidate (the fidelity)"`
	// BatchSize for training (256 in the benchmark); EvalBatchSize for
	// validation/test (defaults to BatchSize).
	BatchSize     int `json:"batch" help:"batch size"`
	EvalBatchSize int `json:"eval_batch,omitempty" help:"batch size for validation and test (0: the training batch size)"`
	// LR is the initial learning rate, decayed with a per-step cosine to 0.
	LR float64 `json:"lr" help:"initial learning rate (cosine decay to 0)"`
	// Momentum and Nesterov select SGD with (Nesterov) momentum.
	Momentum float64 `json:"momentum" help:"SGD momentum"`
	Nesterov bool    `json:"nesterov" help:"Nesterov momentum"`
	// WeightDecay is L2 added to the gradients of every trainable variable.
	WeightDecay float64 `json:"weight_decay" help:"weight decay (L2)"`
	// Seed drives initialisation, shuffling and augmentation.
	Seed uint64 `json:"seed"`
	// Backend: "go" (default, pure Go CPU), "go:CONFIG", or "xla:PLUGIN" in
	// binaries built with -tags xla. Empty reads GOMLX_BACKEND.
	Backend string `json:"backend,omitempty" help:"go (default), go:CONFIG or xla:PLUGIN (binary built with -tags xla); empty reads GOMLX_BACKEND"`
	// Augment is applied to training batches; nil means CIFAR augmentation for
	// 3-channel 32x32 data and none otherwise.
	Augment *images.Augment `json:"augment,omitempty"`
	// MaxTrainImages caps the training set (0: all), for smoke runs.
	MaxTrainImages int `json:"max_train_images,omitempty"`
	// CheckpointDir, when set, receives one sub-folder per candidate with the
	// final variables (GoMLX checkpoint format).
	CheckpointDir string `json:"checkpoint_dir,omitempty" help:"write each trained candidate's variables under this folder"`
	// OnStep and OnEpoch are called after every step / epoch (for live
	// curves and progress), each a list of named subscribers (see
	// [hook.List]). They run on the training goroutine: keep them short. A
	// subscriber that returns an error or panics stops the training: Train
	// returns its [*hook.Error] with a failed Result.
	OnStep  hook.List[func(StepInfo) error]  `json:"-"`
	OnEpoch hook.List[func(EpochInfo) error] `json:"-"`
	// ScheduleEpochs, when larger than Epochs, is the length in epochs of the
	// cosine learning-rate schedule (the maximum fidelity of a multi-fidelity
	// search): a run stopped at Epochs and resumed up to ScheduleEpochs then
	// equals one that was never paused.
	ScheduleEpochs int `json:"schedule_epochs,omitempty" help:"length of the cosine learning-rate schedule in epochs (0: epochs)"`
	// ResumeFrom, when set, is a checkpoint folder written by an earlier run of
	// the same candidate and recipe (CheckpointDir/CheckpointName(arch, seed)):
	// training continues from its variables, optimizer state and step, at the
	// epoch where it stopped, up to Epochs. It is not a recipe setting (no
	// flag or NASNB_TRAIN_* variable): a multi-fidelity runner sets it.
	ResumeFrom string `json:"resume_from,omitempty"`
}

// DefaultConfig returns the NAS-Bench-201 recipe: C=16, N=5, SGD Nesterov
// momentum 0.9, lr 0.1 cosine, weight decay 5e-4, batch 256, 200 epochs.
func DefaultConfig() Config {
	return Config{Channels: 16, Cells: 5, Epochs: 200, BatchSize: 256, LR: 0.1, Momentum: 0.9, Nesterov: true,
		WeightDecay: 5e-4, Backend: ""}
}

// StepInfo describes one finished training step.
type StepInfo struct {
	Arch       string
	Epoch      int // 0-based
	Step       int // global step, 1-based
	TotalSteps int
	Loss       float64
	LR         float64
	Images     int64 // training images seen so far
	Elapsed    time.Duration
}

// EpochInfo describes one finished epoch.
type EpochInfo struct {
	Arch      string
	Epoch     int // 1-based number of epochs done
	TrainLoss float64
	ValAcc    float64 // percent, on the held-out validation split
	Images    int64
	Elapsed   time.Duration
}

// Data bundles the splits: Train for training, Val for model selection
// (validation accuracy) and Test, reported separately.
type Data struct {
	Train, Val, Test *images.Dataset
}

// Result is the outcome of training one candidate.
type Result struct {
	Arch      string
	Status    eval.Status // eval.OK, eval.Failed or eval.Diverged
	Err       string
	ValAcc    float64 // percent
	TestAcc   float64 // percent (NaN when there is no test set)
	TrainLoss float64 // mean loss of the last epoch
	Epochs    int
	Params    int64
	FLOPs     int64
	// Seconds is the wall time of the whole run; Images the training images processed.
	Seconds float64
	Images  int64
	// FirstStep is the time from the start (graph building, compilation and
	// variable initialisation included) to the end of the first training step.
	FirstStep time.Duration
	// Checkpoint is the folder written, if any.
	Checkpoint string
}

var errDiverged = errors.New("loss is NaN or infinite")

// Train trains the architecture arch (NB201 or TransNAS micro string) with
// cfg on data. Bad inputs return an error; failures during training (GoMLX
// panics, out of memory, NaN loss) are reported in Result.Status and
// Result.Err with a nil error. A hook subscriber's error or panic is
// returned as its [*hook.Error] (with a failed Result).
func Train(ctx context.Context, arch string, cfg Config, data Data) (Result, error) {
	cell, err := Parse(arch)
	if err != nil {
		return Result{}, err
	}
	return trainCell(ctx, cell, arch, cfg, data)
}

// TrainArch trains an architecture of a cell space (see [CellOf]) with cfg
// on data, as [Train] does; Result.Arch is its text form in the space.
func TrainArch(ctx context.Context, sp *space.Space, a space.Arch, cfg Config, data Data) (Result, error) {
	cell, err := CellOf(sp, a)
	if err != nil {
		return Result{}, err
	}
	return trainCell(ctx, cell, sp.Format(a), cfg, data)
}

// trainCell trains cell, named arch in results, checkpoints and hooks.
func trainCell(ctx context.Context, cell Cell, arch string, cfg Config, data Data) (Result, error) {
	if data.Train == nil || data.Train.Len() == 0 {
		return Result{}, fmt.Errorf("train: no training data")
	}
	if err := data.Train.Validate(); err != nil {
		return Result{}, err
	}
	if cfg.Epochs <= 0 || cfg.BatchSize <= 0 || cfg.LR <= 0 {
		return Result{}, fmt.Errorf("train: epochs (%d), batch size (%d) and lr (%g) must be positive", cfg.Epochs, cfg.BatchSize, cfg.LR)
	}
	tr := data.Train
	if cfg.MaxTrainImages > 0 {
		tr = tr.Head(cfg.MaxTrainImages)
	}
	if cfg.BatchSize > tr.Len() {
		return Result{}, fmt.Errorf("train: batch size %d larger than the training set (%d images)", cfg.BatchSize, tr.Len())
	}
	net := NetConfig{Channels: cfg.Channels, Cells: cfg.Cells, Height: tr.Height, Width: tr.Width, InChannels: tr.Channels, Classes: tr.Classes}
	nw, err := NewNetwork(net, cell, cfg.Seed)
	if err != nil {
		return Result{}, err
	}
	cost, _ := Count(net, cell)
	res := Result{Arch: arch, Params: cost.Params, FLOPs: cost.FLOPs, TestAcc: math.NaN(), ValAcc: math.NaN()}
	start := time.Now()
	backend, err := NewBackend(cfg.Backend)
	if err != nil {
		res.Status, res.Err = eval.Failed, err.Error()
		return res, nil
	}
	runErr := protect(func() error { return run(ctx, backend, nw, cfg, tr, data, &res, start) })
	res.Seconds = time.Since(start).Seconds()
	var hookErr *hook.Error
	switch {
	case errors.As(runErr, &hookErr):
		res.Status, res.Err = eval.Failed, runErr.Error()
		return res, runErr // a subscriber stopped the training: not the candidate's failure
	case runErr == nil:
		res.Status = eval.OK
	case errors.Is(runErr, errDiverged):
		res.Status, res.Err = eval.Diverged, runErr.Error()
	default:
		res.Status, res.Err = eval.Failed, runErr.Error()
	}
	return res, nil
}

// protect runs fn, turning panics (GoMLX reports most errors by panicking)
// into errors.
func protect(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			if e, ok := r.(error); ok {
				msg = e.Error()
			}
			if strings.Contains(strings.ToLower(msg), "out of memory") || strings.Contains(msg, "RESOURCE_EXHAUSTED") {
				msg = "out of memory: " + msg
			}
			err = fmt.Errorf("train: %s", msg)
			if os.Getenv("NASNB_TRAIN_DEBUG") != "" {
				err = fmt.Errorf("%w\n%s", err, debug.Stack())
			}
		}
	}()
	return fn()
}

// batchDataset adapts an images.Batcher to GoMLX's train.Dataset.
type batchDataset struct {
	b     *images.Batcher
	epoch int
	dims  []int
}

func (d *batchDataset) Name() string { return d.b.Data.Name }

func (d *batchDataset) Iter() iter.Seq2[gtrain.Batch, error] {
	epoch := d.epoch
	d.epoch++
	return func(yield func(gtrain.Batch, error) bool) {
		for bt := range d.b.Epoch(epoch) {
			x := tensors.FromFlatDataAndDimensions(bt.Images, append([]int{bt.N}, d.dims...)...)
			y := tensors.FromFlatDataAndDimensions(bt.Labels, bt.N, 1)
			if !yield(gtrain.Batch{Inputs: []*tensors.Tensor{x}, Labels: []*tensors.Tensor{y}}, nil) {
				return
			}
		}
	}
}

func run(ctx context.Context, backend compute.Backend, nw *Network, cfg Config, tr *images.Dataset, data Data, res *Result, start time.Time) error {
	aug := images.Augment{}
	if cfg.Augment != nil {
		aug = *cfg.Augment
	} else if tr.Channels == 3 && tr.Height == 32 && tr.Width == 32 {
		aug = images.CIFARAugment
	}
	batcher, err := images.NewBatcher(tr, cfg.BatchSize, cfg.Seed, true, aug, true)
	if err != nil {
		return err
	}
	stepsPerEpoch := batcher.Steps()
	totalSteps := stepsPerEpoch * max(cfg.Epochs, cfg.ScheduleEpochs)
	store := model.NewStore()
	startEpoch, err := resume(store, cfg, stepsPerEpoch)
	if err != nil {
		return err
	}
	opt := &nesterovSGD{lr: cfg.LR, momentum: cfg.Momentum, weightDecay: cfg.WeightDecay, nesterov: cfg.Nesterov, totalSteps: totalSteps}
	modelFn := func(scope *model.Scope, _ any, inputs []*graph.Node) []*graph.Node {
		mode := ModeEval
		if scope.IsTraining(inputs[0].Graph()) {
			mode = ModeTrain
		}
		return []*graph.Node{nw.Logits(scope, inputs[0], mode)}
	}
	trainer := gtrain.NewTrainer(backend, store, gtrain.ModelFn(modelFn), loss.SparseCategoricalCrossEntropyLogits, opt, nil, nil)
	loop := gtrain.NewLoop(trainer)
	ds := &batchDataset{b: batcher, epoch: startEpoch, dims: []int{tr.Height, tr.Width, tr.Channels}}

	step := startEpoch * stepsPerEpoch
	res.Images = int64(step * cfg.BatchSize)
	var stepErr error // the hook's own error, reported without GoMLX's loop wrapping
	var epochLoss float64
	var epochSteps int
	epoch := 0
	loop.OnStep("nasnb", 0, func(_ *gtrain.Loop, metrics []*tensors.Tensor) error {
		step++
		res.Images += int64(cfg.BatchSize)
		if res.FirstStep == 0 {
			res.FirstStep = time.Since(start)
		}
		l := scalarFloat(metrics[0])
		if math.IsNaN(l) || math.IsInf(l, 0) {
			stepErr = fmt.Errorf("step %d: %w", step, errDiverged)
			return stepErr
		}
		epochLoss += l
		epochSteps++
		if cfg.OnStep.Len() > 0 {
			progress := math.Min(float64(step-1)/float64(totalSteps), 1)
			info := StepInfo{Arch: res.Arch, Epoch: epoch, Step: step, TotalSteps: totalSteps, Loss: l,
				LR: 0.5 * cfg.LR * (1 + math.Cos(math.Pi*progress)), Images: res.Images, Elapsed: time.Since(start)}
			if err := cfg.OnStep.Call("train.OnStep", func(f func(StepInfo) error) error { return f(info) }); err != nil {
				stepErr = err
				return err
			}
		}
		return ctx.Err()
	})
	evalExec, err := model.NewExec(backend, store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		// Since compute v0.1.14 the go backend prefers variables as constants in
		// graphs not marked as training: this executable, compiled once, would
		// then keep evaluating the weights of its first call. Marking the graph
		// as training keeps the variables as parameters; the network's mode is
		// explicit (ModeEval: running batch-norm statistics, no updates).
		scope.SetTraining(x.Graph(), true)
		return graph.ArgMax(nw.Logits(scope, x, ModeEval), 1)
	})
	if err != nil {
		return err
	}
	defer evalExec.Finalize()
	defer trainer.ResetComputationGraphs()
	for epoch = startEpoch; epoch < cfg.Epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		epochLoss, epochSteps = 0, 0
		if _, err := loop.RunEpochs(ds, 1); err != nil {
			if stepErr != nil {
				return stepErr
			}
			return unwrapLoopErr(err)
		}
		res.Epochs = epoch + 1
		res.TrainLoss = epochLoss / math.Max(float64(epochSteps), 1)
		if data.Val != nil && data.Val.Len() > 0 && (cfg.OnEpoch.Len() > 0 || epoch == cfg.Epochs-1) {
			acc, err := accuracy(evalExec, data.Val, evalBatch(cfg))
			if err != nil {
				return err
			}
			res.ValAcc = acc
		}
		info := EpochInfo{Arch: res.Arch, Epoch: epoch + 1, TrainLoss: res.TrainLoss, ValAcc: res.ValAcc, Images: res.Images, Elapsed: time.Since(start)}
		if err := cfg.OnEpoch.Call("train.OnEpoch", func(f func(EpochInfo) error) error { return f(info) }); err != nil {
			return err
		}
	}
	if data.Test != nil && data.Test.Len() > 0 {
		acc, err := accuracy(evalExec, data.Test, evalBatch(cfg))
		if err != nil {
			return err
		}
		res.TestAcc = acc
	}
	if cfg.CheckpointDir != "" {
		dir := filepath.Join(cfg.CheckpointDir, CheckpointName(res.Arch, cfg.Seed))
		h, err := checkpoint.Build(store).Dir(dir).Keep(1).Done()
		if err != nil {
			return fmt.Errorf("checkpoint %s: %w", dir, err)
		}
		if err := h.Save(); err != nil {
			return fmt.Errorf("checkpoint %s: %w", dir, err)
		}
		res.Checkpoint = dir
	}
	return nil
}

// CheckpointName is the per-candidate checkpoint folder name: a filesystem-safe
// form of the architecture plus the seed.
func CheckpointName(arch string, seed uint64) string {
	var b strings.Builder
	for _, r := range arch {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		case r == '~':
			b.WriteByte('.')
		case r == '+':
			b.WriteString("__")
		}
	}
	return fmt.Sprintf("%s-seed%d", strings.Trim(b.String(), "_"), seed)
}

func unwrapLoopErr(err error) error {
	if errors.Is(err, errDiverged) {
		return fmt.Errorf("%w (%v)", errDiverged, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return err
}

func evalBatch(cfg Config) int {
	if cfg.EvalBatchSize > 0 {
		return cfg.EvalBatchSize
	}
	return cfg.BatchSize
}

// accuracy evaluates top-1 accuracy (percent) in fixed-size batches, padding
// the last one with zero images so that a single graph is compiled.
func accuracy(exec *model.Exec, d *images.Dataset, batch int) (float64, error) {
	b, err := images.NewBatcher(d, batch, 0, false, images.Augment{}, false)
	if err != nil {
		return 0, err
	}
	correct := 0
	s := d.ImageSize()
	for bt := range b.Epoch(0) {
		imgs := bt.Images
		if bt.N < batch {
			imgs = append(imgs, make([]float32, (batch-bt.N)*s)...)
		}
		x := tensors.FromFlatDataAndDimensions(imgs, batch, d.Height, d.Width, d.Channels)
		out, err := exec.Call(x)
		if err != nil {
			return 0, err
		}
		pred, err := tensors.CopyFlatData[int32](out[0])
		out[0].MustFinalizeAll()
		if err != nil {
			return 0, err
		}
		for i := 0; i < bt.N; i++ {
			if pred[i] == bt.Labels[i] {
				correct++
			}
		}
	}
	return 100 * float64(correct) / float64(d.Len()), nil
}

func scalarFloat(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}
