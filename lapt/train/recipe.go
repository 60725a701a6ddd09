package train

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/nasnb/nasnb/datasets/images"
	"github.com/nasnb/nasnb/lapt/eval"
)

// TinyConfig returns the seconds-per-candidate CPU recipe that `nasnb
// transfer --evaluator train` and `nasnb worker` use by default: C=4, one
// cell per stage, one epoch, batch 32, lr 0.1 (SGD Nesterov 0.9, wd 5e-4).
func TinyConfig() Config {
	c := DefaultConfig()
	c.Channels, c.Cells, c.Epochs, c.BatchSize = 4, 1, 1, 32
	return c
}

// DataSpec says where a candidate's data comes from and how it is split: with
// the [Config] it is everything a trial needs, so it travels in trial specs
// and journals. [Prepare] turns it into [Data].
type DataSpec struct {
	// Dataset: fashion-mnist, mnist, cifar10, cifar100 or synthetic.
	Dataset string `json:"dataset"`
	// Dir is the dataset folder or CIFAR tarball ("" = standard location).
	Dir string `json:"data_dir,omitempty" help:"dataset folder or CIFAR tarball (default: standard location)"`
	// TrainImages caps the training images (0: the whole set minus Val).
	TrainImages int `json:"images" help:"training images (0: the whole training set minus validation)"`
	// Val images are held out from the training set (the search reads only these).
	Val int `json:"val" help:"validation images held out from the training set (the search reads only these)"`
	// Test caps the test images (0: the whole test set; reported, never searched on).
	Test int `json:"test" help:"test images (0: the whole test set; reported, never searched on)"`
	// SyntheticHW is the image size of the synthetic dataset (3 channels, 4 classes).
	SyntheticHW int `json:"synthetic_hw,omitempty" help:"image size of the synthetic dataset (3 channels, 4 classes)"`
	// SplitSeed draws the validation split.
	SplitSeed uint64 `json:"split_seed" help:"seed of the validation split"`
	// Augment enables crop+flip augmentation on 32x32x3 data; off, no augmentation.
	Augment bool `json:"augment" help:"crop+flip augmentation on 32x32x3 data"`
}

// TinyData returns the data defaults of the tiny recipe for dataset: 1024
// training, 512 validation and 1000 test images, 8x8 synthetic images.
func TinyData(dataset string) DataSpec {
	return DataSpec{Dataset: dataset, TrainImages: 1024, Val: 512, Test: 1000, SyntheticHW: 8}
}

// Datasets lists the dataset names [Prepare] accepts.
var Datasets = []string{"fashion-mnist", "mnist", "cifar10", "cifar100", "synthetic"}

// Validate checks a data spec without loading anything.
func (d DataSpec) Validate() error {
	known := false
	for _, n := range Datasets {
		known = known || n == d.Dataset
	}
	switch {
	case !known:
		return fmt.Errorf("train: dataset %q is not one of %s", d.Dataset, strings.Join(Datasets, ", "))
	case d.TrainImages < 0 || d.Test < 0:
		return fmt.Errorf("train: images (%d) and test (%d) must be >= 0", d.TrainImages, d.Test)
	case d.Val < 1:
		return fmt.Errorf("train: val must be >= 1 (validation images), got %d", d.Val)
	case d.Dataset == "synthetic" && d.SyntheticHW < 4:
		return fmt.Errorf("train: synthetic_hw must be >= 4, got %d", d.SyntheticHW)
	}
	return nil
}

// Prepare loads the dataset of d, takes the training, validation (held out
// from the training set with d.SplitSeed) and test splits, and normalises all
// three with the training split's per-channel mean and deviation. batch is
// the training batch size the split must hold.
func Prepare(d DataSpec, batch int) (Data, error) {
	if err := d.Validate(); err != nil {
		return Data{}, err
	}
	var all, test *images.Dataset
	if d.Dataset == "synthetic" {
		n := max(d.TrainImages, batch) + d.Val
		nt := d.Test
		if nt == 0 {
			nt = 512
		}
		s, err := images.Synthetic(n+nt, d.SyntheticHW, d.SyntheticHW, 3, 4, 1)
		if err != nil {
			return Data{}, err
		}
		idx := make([]int, 0, nt)
		for i := n; i < n+nt; i++ {
			idx = append(idx, i)
		}
		all, test = s.Head(n), s.Subset(idx)
		all.Name, test.Name = "synthetic/train", "synthetic/test"
	} else {
		var err error
		if all, test, err = images.Load(d.Dataset, d.Dir); err != nil {
			return Data{}, fmt.Errorf("dataset %s: %w", d.Dataset, err)
		}
	}
	if d.TrainImages > 0 && d.TrainImages+d.Val < all.Len() {
		all = all.Head(d.TrainImages + d.Val)
	}
	if d.Test > 0 && d.Test < test.Len() {
		test = test.Head(d.Test)
	}
	tr, va, err := all.Split(d.Val, d.SplitSeed)
	if err != nil {
		return Data{}, fmt.Errorf("train: validation split: %w", err)
	}
	if tr.Len() < batch {
		return Data{}, fmt.Errorf("train: %d training images for batch %d: raise images or lower batch", tr.Len(), batch)
	}
	mean, std := tr.MeanStd()
	for _, s := range []*images.Dataset{tr, va, test} {
		if err := s.Normalize(mean, std); err != nil {
			return Data{}, err
		}
	}
	return Data{Train: tr, Val: va, Test: test}, nil
}

// TrialSpec is everything needed to re-create one candidate's training on
// another machine: the architecture, the recipe (seed included), the data.
// Executors move trial specs and result files, never models.
type TrialSpec struct {
	// ID names the trial uniquely within its run folder (e.g. "lapt-s0003-t0012").
	ID string `json:"id"`
	// Arch is the architecture in its space's text form.
	Arch   string   `json:"arch"`
	Config Config   `json:"config"`
	Data   DataSpec `json:"data"`
}

// Validate checks the spec without training.
func (s TrialSpec) Validate() error {
	if s.ID == "" {
		return fmt.Errorf("train: trial spec without id")
	}
	if _, err := Parse(s.Arch); err != nil {
		return fmt.Errorf("train: trial %s: %w", s.ID, err)
	}
	c := s.Config
	if c.Epochs <= 0 || c.BatchSize <= 0 || !(c.LR > 0) || c.Channels <= 0 || c.Cells <= 0 {
		return fmt.Errorf("train: trial %s: epochs (%d), batch (%d), lr (%g), channels (%d) and cells (%d) must be positive",
			s.ID, c.Epochs, c.BatchSize, c.LR, c.Channels, c.Cells)
	}
	return s.Data.Validate()
}

// Recipe returns the part of the spec that decides the result: everything
// but the ID, the backend and the checkpoint folder (a run may move from CPU
// to GPU), as canonical JSON.
func (s TrialSpec) Recipe() []byte {
	c := s.Config
	c.Backend, c.CheckpointDir = "", ""
	b, _ := json.Marshal(struct {
		Arch   string   `json:"arch"`
		Config Config   `json:"config"`
		Data   DataSpec `json:"data"`
	}{s.Arch, c, s.Data})
	return b
}

// Hash is the SHA-256 of [TrialSpec.Recipe], hex encoded: a result file
// carries it, so a result is reused only for the very same training.
func (s TrialSpec) Hash() string {
	h := sha256.Sum256(s.Recipe())
	return hex.EncodeToString(h[:16])
}

// TrainConfig returns the Config with the data spec's augmentation choice applied.
func (s TrialSpec) TrainConfig() Config {
	c := s.Config
	if !s.Data.Augment && c.Augment == nil {
		c.Augment = &images.Augment{}
	}
	return c
}

// RunTrial prepares the spec's data and trains its architecture; data, when
// non-nil, is used instead of preparing it again (a worker that runs several
// trials on the same data). The error is non-nil only for a bad spec or a
// cancelled context; training failures are in the Result's Status.
func RunTrial(ctx context.Context, s TrialSpec, data *Data) (eval.Result, error) {
	if err := s.Validate(); err != nil {
		return eval.Result{}, err
	}
	var d Data
	if data != nil {
		d = *data
	} else {
		var err error
		if d, err = Prepare(s.Data, s.Config.BatchSize); err != nil {
			return eval.Result{Status: eval.Failed, Err: err.Error(), Metrics: eval.Metrics{Val: math.NaN(), Test: math.NaN()}}, nil
		}
	}
	r, err := Train(ctx, s.Arch, s.TrainConfig(), d)
	if err != nil {
		return eval.Result{Status: eval.Failed, Err: err.Error(), Metrics: eval.Metrics{Val: math.NaN(), Test: math.NaN()}}, nil
	}
	if err := ctx.Err(); err != nil {
		return eval.Result{}, err
	}
	return ToEvalResult(r), nil
}

// Setting is one scalar field of a recipe struct ([Config] or [DataSpec]),
// named by its JSON tag: the flag is the name with '-' for '_', the
// environment variable NASNB_TRAIN_ plus the name in upper case.
type Setting struct {
	Name, Flag, Env, Help string
	field                 reflect.Value
}

// Settings lists the scalar fields with a help tag of the struct ptr points
// to (a *Config or a *DataSpec): the single place flags and NASNB_TRAIN_*
// variables come from.
func Settings(ptr any) []Setting {
	v := reflect.ValueOf(ptr).Elem()
	t := v.Type()
	var out []Setting
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		help, ok := f.Tag.Lookup("help")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		out = append(out, Setting{Name: name, Flag: strings.ReplaceAll(name, "_", "-"), Env: "NASNB_TRAIN_" + strings.ToUpper(name),
			Help: help, field: v.Field(i)})
	}
	return out
}

// String returns the field's current value as text.
func (s Setting) String() string {
	switch s.field.Kind() {
	case reflect.Bool:
		if s.field.Bool() {
			return "1"
		}
		return "0"
	}
	return fmt.Sprint(s.field.Interface())
}

// Set parses text into the field. Numbers must be finite and not negative;
// the error says what is wrong with the text (FromEnv adds the variable's
// name, the flag package the flag's).
func (s Setting) Set(text string) error { return s.set(text, true) }

// set parses text into the field; checkSign refuses negative numbers.
func (s Setting) set(text string, checkSign bool) error {
	text = strings.TrimSpace(text)
	f := s.field
	var err error
	switch f.Kind() {
	case reflect.String:
		f.SetString(text)
	case reflect.Int:
		var n int64
		if n, err = strconv.ParseInt(text, 10, 64); err == nil && checkSign && n < 0 {
			err = fmt.Errorf("must be zero or positive")
		}
		if err == nil {
			f.SetInt(n)
		}
	case reflect.Uint64:
		var n uint64
		if n, err = strconv.ParseUint(text, 10, 64); err == nil {
			f.SetUint(n)
		}
	case reflect.Float64:
		var x float64
		if x, err = strconv.ParseFloat(text, 64); err == nil && (math.IsNaN(x) || math.IsInf(x, 0) || (checkSign && x < 0)) {
			err = fmt.Errorf("must be a finite number, zero or positive")
		}
		if err == nil {
			f.SetFloat(x)
		}
	case reflect.Bool:
		var b bool
		switch strings.ToLower(text) {
		case "1", "true", "yes", "on":
			b = true
		case "0", "false", "no", "off", "":
		default:
			err = fmt.Errorf("want 0 or 1")
		}
		f.SetBool(b)
	default:
		err = fmt.Errorf("unsupported kind %s", f.Kind())
	}
	return err
}

// IsBoolFlag lets the flag package accept -name without a value for booleans.
func (s Setting) IsBoolFlag() bool { return s.field.Kind() == reflect.Bool }

// FromEnv sets every setting of ptr found in the environment (lookup is
// os.LookupEnv in programs, a map in tests). Unset variables keep the struct's
// values, which are therefore the defaults.
func FromEnv(ptr any, lookup func(string) (string, bool)) error {
	for _, s := range Settings(ptr) {
		if v, ok := lookup(s.Env); ok {
			if err := s.Set(v); err != nil {
				return fmt.Errorf("%s=%q: %v", s.Env, v, err)
			}
		}
	}
	return nil
}

// BindFlags registers one flag per setting of ptr on fs, with the struct's
// current values as defaults; prefix is prepended to every flag name.
func BindFlags(fs *flag.FlagSet, ptr any, prefix string) {
	for _, s := range Settings(ptr) {
		fs.Var(flagValue{s}, prefix+s.Flag, s.Help)
	}
}

// flagValue is a setting as a flag. It leaves the sign of numbers to the
// command, which checks its flags with its own rules (a flag may need to be
// positive, where the recipe only refuses negative values).
type flagValue struct{ Setting }

// Set parses a flag's text into the setting.
func (f flagValue) Set(text string) error { return f.set(text, false) }

func (f flagValue) String() string {
	if !f.field.IsValid() {
		return ""
	}
	return f.Setting.String()
}

// EnvHelp lists the NASNB_TRAIN_* variables of the given recipe structs with
// their current values as defaults.
func EnvHelp(ptrs ...any) string {
	var b strings.Builder
	for _, p := range ptrs {
		for _, s := range Settings(p) {
			def := s.String()
			if def == "" {
				def = `""`
			}
			fmt.Fprintf(&b, "  %-28s %-6s %s\n", s.Env, def, s.Help)
		}
	}
	return b.String()
}
