package proxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"

	"gonum.org/v1/gonum/stat"

	"github.com/nasnb/nasnb/datasets/datadir"
	"github.com/nasnb/nasnb/datasets/zerocost"
	"github.com/nasnb/nasnb/internal/safefile"
)

// ZeroCostEntry is one architecture of a NAS-Bench-Suite-Zero file.
type ZeroCostEntry struct {
	Arch     string             // NB201 string
	ValAcc   float64            // val_accuracy
	Scores   map[string]float64 // proxy name -> score
	Seconds  map[string]float64 // proxy name -> time
	TupleKey string             // the file's key, e.g. "(0, 2, 3, 2, 3, 1)"
}

// TupleToNB201 maps a NAS-Bench-Suite-Zero NB201 tuple key to the NB201
// string (see [zerocost.NB201Arch], which it calls).
func TupleToNB201(key string) (string, error) {
	arch, err := zerocost.NB201Arch(key)
	if err != nil {
		return "", fmt.Errorf("proxy: %w", err)
	}
	return arch, nil
}

// LoadZeroCost reads the entries of one dataset ("cifar10", "cifar100",
// "ImageNet16-120") from zc_nasbench201.json, sorted by NB201 string. Like
// the data loaders it reads only a regular file (a device, FIFO or folder,
// also behind a symlink, is refused at once), at most
// [datadir.MaxFileBytes], and, under the known name, only of the size the
// data manifest gives.
func LoadZeroCost(path, dataset string) ([]ZeroCostEntry, error) {
	if err := datadir.CheckSize(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("proxy: %w (zc_nasbench201.json is in the shared data folder, see its README)", err)
		}
		return nil, fmt.Errorf("proxy: %w", err)
	}
	raw, err := safefile.ReadFile(path, datadir.MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("proxy: %w (zc_nasbench201.json is in the shared data folder, see its README)", err)
	}
	// The file holds Python's bare NaN/Infinity tokens: read them as null.
	for _, tok := range []string{"-Infinity", "Infinity", "NaN"} {
		raw = bytes.ReplaceAll(raw, []byte(tok), []byte("null"))
	}
	var all map[string]map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		return nil, fmt.Errorf("proxy: %s: %w", path, err)
	}
	ds, ok := all[dataset]
	if !ok {
		return nil, fmt.Errorf("proxy: %s has no dataset %q", path, dataset)
	}
	var out []ZeroCostEntry
	for key, fields := range ds {
		arch, err := TupleToNB201(key)
		if err != nil {
			return nil, err
		}
		e := ZeroCostEntry{Arch: arch, TupleKey: key, Scores: map[string]float64{}, Seconds: map[string]float64{}}
		for name, v := range fields {
			var st struct {
				Score *float64 `json:"score"`
				Time  float64  `json:"time"`
			}
			if name == "val_accuracy" {
				_ = json.Unmarshal(v, &e.ValAcc)
				continue
			}
			if json.Unmarshal(v, &st) == nil && st.Score != nil {
				e.Scores[name] = *st.Score
				e.Seconds[name] = st.Time
			}
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Arch < out[j].Arch })
	return out, nil
}

// Spearman returns the Spearman rank correlation of a and b (average ranks for ties).
func Spearman(a, b []float64) float64 {
	return stat.Correlation(ranks(a), ranks(b), nil)
}

func ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return x[idx[i]] < x[idx[j]] })
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && x[idx[j+1]] == x[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = avg
		}
		i = j + 1
	}
	return r
}
