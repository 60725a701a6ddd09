// Package nats reads the official NATS-Bench topology-space archive
// (NATS-tss-v1_0-3ffb9-simple: the 15,625 NAS-Bench-201 cells), one
// bz2-compressed Python pickle per architecture plus meta.pickle.pbz2.
//
// # Pickle structure
//
// Found by inspecting the official files (protocol 4 pickles; globals
// collections.OrderedDict, numpy.dtype and numpy.core.multiarray.scalar,
// the latter two used only for numpy float64 scalars, decoded here to
// float64):
//
//	meta.pickle.pbz2: dict
//	  "meta_archs":        list of 15,625 arch strings, index order
//	  "total_archs":       15625
//	  "arch2infos":        None
//	  "evaluated_indexes": set() (empty)
//
//	NNNNNN.pickle.pbz2 (6-digit index): OrderedDict keyed by the
//	training schedule ("hp") "12" and "200", each a dict
//	  "arch_index":     int
//	  "arch_str":       arch string
//	  "dataset_seed":   dict dataset → list of seeds
//	                    ("12": cifar10-valid [111, 777], others [111];
//	                     "200": every dataset [777, 888, 999])
//	  "clear_net_done": True
//	  "all_results":    dict (dataset, seed) → result dict
//	    "name":          dataset: "cifar10-valid", "cifar10", "cifar100", "ImageNet16-120"
//	    "seed":          str such as "0777"
//	    "epochs":        12 or 200
//	    "params":        numpy float64, parameters in MB
//	    "flop":          float, FLOPs in M
//	    "latency":       list of numpy float64 (seconds per batch)
//	    "arch_config":   dict channel, num_cells, arch_str, class_num
//	    "train_acc1es", "train_losses", "train_times": dict epoch → float
//	    "train_acc5es":  dict epoch → float at "12", None at "200"
//	    "eval_names":    list of evaluation sets: cifar10-valid [x-valid, ori-test];
//	                     cifar10 [ori-test]; cifar100 and ImageNet16-120
//	                     [ori-test, x-valid, x-test]
//	    "eval_acc1es", "eval_losses", "eval_times": dict "set@epoch" → float;
//	                     at "200" only the last epoch of ori-test is kept for
//	                     cifar10-valid, cifar100 and ImageNet16-120
//	    "net_state_dict": None
//
// Metrics follows NATS-Bench's get_more_info: cifar10-valid: valid =
// x-valid, test = ori-test; cifar10 (trained on train+valid): test =
// ori-test, no valid; cifar100 and ImageNet16-120: valid = x-valid, test =
// x-test (and ori-test as ValTest). Per-seed values are taken at the last
// epoch and averaged over seeds; the 200-epoch means equal the NAS-Bench-201
// tables (nb201_tss_merged.csv).
package nats

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/nasnb/nasnb/datasets/nb201"
	"github.com/nasnb/nasnb/internal/safefile"
)

// NATS-Bench dataset names as used in the archive.
const (
	CIFAR10Valid = "cifar10-valid"
	CIFAR10      = "cifar10"
	CIFAR100     = "cifar100"
	ImageNet16   = "ImageNet16-120"
)

// Datasets returns the archive's dataset names.
func Datasets() []string { return []string{CIFAR10Valid, CIFAR10, CIFAR100, ImageNet16} }

// CanonicalDataset maps a name (case-insensitive; "imagenet",
// "imagenet16-120" and "imagenet16" mean ImageNet16-120) to an archive
// dataset name. Unlike nb201.CanonicalDataset, "cifar10-valid" and
// "cifar10" are different runs here.
func CanonicalDataset(name string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "cifar10-valid":
		return CIFAR10Valid, nil
	case "cifar10":
		return CIFAR10, nil
	case "cifar100":
		return CIFAR100, nil
	case "imagenet16-120", "imagenet16", "imagenet":
		return ImageNet16, nil
	}
	return "", fmt.Errorf("nats: unknown dataset %q (valid: %s)", name, strings.Join(Datasets(), ", "))
}

// Fidelities are the training schedules in the archive (epochs).
var Fidelities = []int{12, 200}

// Archive is an opened NATS-tss "simple" archive folder.
type Archive struct {
	dir    string
	meta   []string
	byArch map[string]int
}

// OpenArchive opens a NATS-tss-v1_0-3ffb9-simple folder (or any folder
// with meta.pickle.pbz2 and NNNNNN.pickle.pbz2 files) and reads its meta.
func OpenArchive(dir string) (*Archive, error) {
	p := filepath.Join(dir, "meta.pickle.pbz2")
	f, err := safefile.Open(p)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("nats: %s is not a NATS-Bench archive folder (no meta.pickle.pbz2)", dir)
		}
		return nil, fmt.Errorf("nats: %w", err)
	}
	defer f.Close()
	data, err := decompress(f, p)
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	meta, err := DecodeMetaPickle(data, p)
	if err != nil {
		return nil, err
	}
	a := &Archive{dir: dir, meta: meta, byArch: make(map[string]int, len(meta))}
	for i, s := range meta {
		a.byArch[s] = i
	}
	return a, nil
}

// DecodeMetaPickle decodes the (decompressed) meta pickle and returns the
// arch strings in index order; name is used in errors.
func DecodeMetaPickle(data []byte, name string) ([]string, error) {
	v, err := unpickle(data, name)
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("nats: %s: unexpected meta structure: %s", name, fmt.Sprintf(format, args...))
	}
	raw, ok := dictGet(v, "meta_archs")
	if !ok {
		return nil, bad("no \"meta_archs\" key in %T", v)
	}
	items, ok := listItems(raw)
	if !ok {
		return nil, bad("meta_archs is %T, not a list", raw)
	}
	meta := make([]string, len(items))
	seen := make(map[string]int, len(items))
	for i, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, bad("meta_archs[%d] is %T, not a string", i, it)
		}
		if !nb201.ValidArch(s) {
			return nil, bad("meta_archs[%d] = %q is not an NB201 arch string", i, s)
		}
		if j, dup := seen[s]; dup {
			return nil, bad("meta_archs[%d] repeats meta_archs[%d]", i, j)
		}
		seen[s] = i
		meta[i] = s
	}
	if t, ok := dictGet(v, "total_archs"); ok {
		if n, ok := toInt(t); !ok || n != len(meta) {
			return nil, bad("total_archs %v but %d meta_archs", t, len(meta))
		}
	}
	return meta, nil
}

// Dir returns the archive folder.
func (a *Archive) Dir() string { return a.dir }

// Len returns the number of architectures in the meta (15,625).
func (a *Archive) Len() int { return len(a.meta) }

// Meta returns a copy of the arch strings in index order.
func (a *Archive) Meta() []string { return append([]string(nil), a.meta...) }

// IndexOf returns the index of an arch string.
func (a *Archive) IndexOf(arch string) (int, bool) {
	i, ok := a.byArch[arch]
	return i, ok
}

// ArchPath returns the file of an index: <dir>/NNNNNN.pickle.pbz2.
func (a *Archive) ArchPath(index int) string {
	return filepath.Join(a.dir, fmt.Sprintf("%06d.pickle.pbz2", index))
}

// Has reports whether the archive folder holds the file of an index (the
// sample folder holds only a few).
func (a *Archive) Has(index int) bool {
	if index < 0 || index >= len(a.meta) {
		return false
	}
	_, err := os.Stat(a.ArchPath(index))
	return err == nil
}

// Arch reads and decodes the results of one architecture and checks that
// its index and arch string agree with the meta.
func (a *Archive) Arch(index int) (*ArchInfo, error) {
	if index < 0 || index >= len(a.meta) {
		return nil, fmt.Errorf("nats: index %d out of range [0, %d)", index, len(a.meta))
	}
	p := a.ArchPath(index)
	f, err := safefile.Open(p)
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	defer f.Close()
	info, err := DecodeArch(f, p)
	if err != nil {
		return nil, err
	}
	if info.Index != index || info.Arch != a.meta[index] {
		return nil, fmt.Errorf("nats: %s holds arch %d %q, meta says %q", p, info.Index, info.Arch, a.meta[index])
	}
	return info, nil
}

// ArchInfo is the content of one architecture file.
type ArchInfo struct {
	Index int    // NB201 index
	Arch  string // NB201 arch string
	// Runs maps the fidelity (the archive's top-level key: the 12- or
	// 200-epoch schedule) to its training runs, in file order (one per
	// dataset and seed).
	Runs map[int][]*Run
}

// Run is one training run: one dataset, one seed, one schedule.
type Run struct {
	Dataset string  // "cifar10-valid", "cifar10", "cifar100" or "ImageNet16-120"
	Seed    int     // e.g. 777
	Epochs  int     // epochs trained (12 or 200 in the official archive)
	Params  float64 // parameters, MB
	FLOPs   float64 // FLOPs, M
	Latency float64 // mean of the recorded latencies, seconds; NaN if none
	// TrainAcc and TrainLoss are per-epoch top-1 accuracy (percent) and
	// loss on the training set, NaN where not recorded.
	TrainAcc, TrainLoss []float64
	// TrainTimes is the per-epoch training time in seconds as recorded by
	// NATS-Bench, NaN where not recorded.
	TrainTimes []float64
	// EvalAcc and EvalLoss map an evaluation set ("x-valid", "x-test",
	// "ori-test") to its per-epoch accuracy and loss, NaN where not
	// recorded (the 200-epoch archive keeps only the last epoch of some).
	EvalAcc, EvalLoss map[string][]float64
}

// Final returns the last-epoch accuracy of an evaluation set, or of the
// training set if set is "train", and whether it is recorded.
func (r *Run) Final(set string) (float64, bool) {
	var c []float64
	if set == "train" {
		c = r.TrainAcc
	} else {
		c = r.EvalAcc[set]
	}
	if len(c) == 0 || math.IsNaN(c[len(c)-1]) {
		return math.NaN(), false
	}
	return c[len(c)-1], true
}

// DecodeArch decodes one bz2-compressed arch file; name is used in errors.
func DecodeArch(r io.Reader, name string) (*ArchInfo, error) {
	data, err := decompress(r, name)
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	return DecodeArchPickle(data, name)
}

// DecodeArchPickle decodes the (decompressed) pickle of one arch file.
func DecodeArchPickle(data []byte, name string) (*ArchInfo, error) {
	v, err := unpickle(data, name)
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	info, err := archFrom(v)
	if err != nil {
		return nil, fmt.Errorf("nats: %s: unexpected arch structure: %w", name, err)
	}
	return info, nil
}

func archFrom(v any) (*ArchInfo, error) {
	top, ok := dictItems(v)
	if !ok {
		return nil, fmt.Errorf("top level is %T, not a dict", v)
	}
	info := &ArchInfo{Index: -1, Runs: map[int][]*Run{}}
	for _, it := range top {
		hp, ok := it.k.(string)
		if !ok {
			return nil, fmt.Errorf("top-level key %v is not a string", it.k)
		}
		fid, err := strconv.Atoi(hp)
		if err != nil || fid <= 0 || fid > 10000 {
			return nil, fmt.Errorf("top-level key %q is not an epoch count", hp)
		}
		where := fmt.Sprintf("[%q]", hp)
		idxV, ok := dictGet(it.v, "arch_index")
		if !ok {
			return nil, fmt.Errorf("%s: no arch_index", where)
		}
		idx, ok := toInt(idxV)
		if !ok || idx < 0 {
			return nil, fmt.Errorf("%s[\"arch_index\"] = %v", where, idxV)
		}
		archV, _ := dictGet(it.v, "arch_str")
		arch, ok := archV.(string)
		if !ok || !nb201.ValidArch(arch) {
			return nil, fmt.Errorf("%s[\"arch_str\"] = %v is not an NB201 arch string", where, archV)
		}
		if info.Index == -1 {
			info.Index, info.Arch = idx, arch
		} else if info.Index != idx || info.Arch != arch {
			return nil, fmt.Errorf("%s: arch %d %q differs from %d %q", where, idx, arch, info.Index, info.Arch)
		}
		resV, ok := dictGet(it.v, "all_results")
		if !ok {
			return nil, fmt.Errorf("%s: no all_results", where)
		}
		results, ok := dictItems(resV)
		if !ok {
			return nil, fmt.Errorf("%s[\"all_results\"] is %T, not a dict", where, resV)
		}
		for _, r := range results {
			key, _ := listItems(r.k)
			if len(key) != 2 {
				return nil, fmt.Errorf("%s[\"all_results\"] key %v is not (dataset, seed)", where, r.k)
			}
			ds, ok1 := key[0].(string)
			seed, ok2 := toInt(key[1])
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("%s[\"all_results\"] key %v is not (dataset, seed)", where, r.k)
			}
			rw := fmt.Sprintf("%s[\"all_results\"][(%q, %d)]", where, ds, seed)
			run, err := runFrom(r.v, ds, seed, fid, rw)
			if err != nil {
				return nil, err
			}
			info.Runs[fid] = append(info.Runs[fid], run)
		}
	}
	if info.Index < 0 {
		return nil, errors.New("no fidelity entries")
	}
	return info, nil
}

func runFrom(v any, ds string, seed, fid int, where string) (*Run, error) {
	if _, ok := dictItems(v); !ok {
		return nil, fmt.Errorf("%s is %T, not a dict", where, v)
	}
	num := func(key string) (float64, error) {
		x, ok := dictGet(v, key)
		if !ok {
			return 0, fmt.Errorf("%s: no %q", where, key)
		}
		f, ok := toFloat(x)
		if !ok {
			return 0, fmt.Errorf("%s[%q] = %v (%T) is not a number", where, key, x, x)
		}
		return f, nil
	}
	run := &Run{Dataset: ds, Seed: seed}
	if name, ok := dictGet(v, "name"); ok && name != ds {
		return nil, fmt.Errorf("%s[\"name\"] = %v, want %q", where, name, ds)
	}
	ep, err := num("epochs")
	if err != nil {
		return nil, err
	}
	if ep != math.Trunc(ep) || ep < 1 || ep > 10000 {
		return nil, fmt.Errorf("%s[\"epochs\"] = %v is not an epoch count", where, ep)
	}
	run.Epochs = int(ep)
	nEp := run.Epochs
	if run.Params, err = num("params"); err != nil {
		return nil, err
	}
	if run.FLOPs, err = num("flop"); err != nil {
		return nil, err
	}
	run.Latency = math.NaN()
	if lv, ok := dictGet(v, "latency"); ok && lv != nil {
		items, ok := listItems(lv)
		if !ok {
			return nil, fmt.Errorf("%s[\"latency\"] is %T, not a list", where, lv)
		}
		sum, n := 0.0, 0
		for i, it := range items {
			f, ok := toFloat(it)
			if !ok {
				return nil, fmt.Errorf("%s[\"latency\"][%d] is %T, not a number", where, i, it)
			}
			sum += f
			n++
		}
		if n > 0 {
			run.Latency = sum / float64(n)
		}
	}
	curve := func(key string) ([]float64, error) {
		c := nanSlice(nEp)
		x, ok := dictGet(v, key)
		if !ok || x == nil {
			return c, nil
		}
		items, ok := dictItems(x)
		if !ok {
			return nil, fmt.Errorf("%s[%q] is %T, not a dict", where, key, x)
		}
		for _, it := range items {
			e, ok := toInt(it.k)
			f, okf := toFloat(it.v)
			if !ok || !okf || e < 0 || e >= nEp {
				return nil, fmt.Errorf("%s[%q]: bad item %v: %v", where, key, it.k, it.v)
			}
			c[e] = f
		}
		return c, nil
	}
	if run.TrainAcc, err = curve("train_acc1es"); err != nil {
		return nil, err
	}
	if run.TrainLoss, err = curve("train_losses"); err != nil {
		return nil, err
	}
	if run.TrainTimes, err = curve("train_times"); err != nil {
		return nil, err
	}
	evalCurves := func(key string) (map[string][]float64, error) {
		out := map[string][]float64{}
		x, ok := dictGet(v, key)
		if !ok || x == nil {
			return out, nil
		}
		items, ok := dictItems(x)
		if !ok {
			return nil, fmt.Errorf("%s[%q] is %T, not a dict", where, key, x)
		}
		for _, it := range items {
			k, ok := it.k.(string)
			at := strings.LastIndexByte(k, '@')
			if !ok || at <= 0 {
				return nil, fmt.Errorf("%s[%q]: key %v is not \"set@epoch\"", where, key, it.k)
			}
			e, err := strconv.Atoi(k[at+1:])
			f, okf := toFloat(it.v)
			if err != nil || !okf || e < 0 || e >= nEp {
				return nil, fmt.Errorf("%s[%q][%q]: bad item %v", where, key, k, it.v)
			}
			set := k[:at]
			if out[set] == nil {
				out[set] = nanSlice(nEp)
			}
			out[set][e] = f
		}
		return out, nil
	}
	if run.EvalAcc, err = evalCurves("eval_acc1es"); err != nil {
		return nil, err
	}
	if run.EvalLoss, err = evalCurves("eval_losses"); err != nil {
		return nil, err
	}
	return run, nil
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// SeedMetrics are the last-epoch accuracies of one seed (NaN if absent).
type SeedMetrics struct {
	Seed                        int
	Train, Valid, Test, ValTest float64
}

// Metrics are the accuracies of one architecture on one dataset at one
// fidelity, per seed and averaged over seeds (NATS-Bench get_more_info
// semantics, see the package documentation).
type Metrics struct {
	Dataset  string
	Fidelity int
	// Train, Valid, Test and ValTest are seed means (percent); Valid,
	// Test and ValTest are NaN where the dataset has no such split.
	Train, Valid, Test, ValTest   float64
	HasValid, HasTest, HasValTest bool
	PerSeed                       []SeedMetrics // sorted by seed
	Params                        float64       // MB
	FLOPs                         float64       // M
	Latency                       float64       // seconds, mean over seeds
}

// evalSets returns the evaluation sets used as valid, test and valtest.
func evalSets(ds string) (valid, test, valtest string) {
	switch ds {
	case CIFAR10Valid:
		return "x-valid", "ori-test", ""
	case CIFAR10:
		return "", "ori-test", ""
	}
	return "x-valid", "x-test", "ori-test"
}

// Metrics returns the per-seed and mean accuracies of a dataset (see
// CanonicalDataset) at a fidelity (12 or 200).
func (a *ArchInfo) Metrics(dataset string, fidelity int) (Metrics, error) {
	ds, err := CanonicalDataset(dataset)
	if err != nil {
		return Metrics{}, err
	}
	m := Metrics{Dataset: ds, Fidelity: fidelity}
	var runs []*Run
	for _, r := range a.Runs[fidelity] {
		if r.Dataset == ds {
			runs = append(runs, r)
		}
	}
	if len(runs) == 0 {
		var have []int
		for f := range a.Runs {
			have = append(have, f)
		}
		sort.Ints(have)
		return m, fmt.Errorf("nats: arch %d has no %s runs at fidelity %d (fidelities: %v)", a.Index, ds, fidelity, have)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].Seed < runs[j].Seed })
	vs, ts, vts := evalSets(ds)
	final := func(r *Run, set string) float64 {
		if set == "" {
			return math.NaN()
		}
		v, _ := r.Final(set)
		return v
	}
	mean := func(get func(SeedMetrics) float64) (float64, bool) {
		s := 0.0
		for _, p := range m.PerSeed {
			v := get(p)
			if math.IsNaN(v) {
				return math.NaN(), false
			}
			s += v
		}
		return s / float64(len(m.PerSeed)), true
	}
	lat := 0.0
	for _, r := range runs {
		m.PerSeed = append(m.PerSeed, SeedMetrics{
			Seed: r.Seed, Train: final(r, "train"), Valid: final(r, vs), Test: final(r, ts), ValTest: final(r, vts),
		})
		lat += r.Latency
	}
	m.Params, m.FLOPs, m.Latency = runs[0].Params, runs[0].FLOPs, lat/float64(len(runs))
	m.Train, _ = mean(func(s SeedMetrics) float64 { return s.Train })
	m.Valid, m.HasValid = mean(func(s SeedMetrics) float64 { return s.Valid })
	m.Test, m.HasTest = mean(func(s SeedMetrics) float64 { return s.Test })
	m.ValTest, m.HasValTest = mean(func(s SeedMetrics) float64 { return s.ValTest })
	return m, nil
}
