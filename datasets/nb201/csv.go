package nb201

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/nasnb/nasnb/datasets/bench"
)

// MergedColumns are the columns of nb201_tss_merged.csv, in file order.
var MergedColumns = []string{
	"index", "arch",
	"cifar10_test_200ep", "cifar100_test_200ep", "imagenet16_test_200ep",
	"cifar10_test_12ep", "cifar10valid_valid_12ep",
	"cifar100_test_12ep", "cifar100_valid_12ep",
	"imagenet16_test_12ep", "imagenet16_valid_12ep",
}

// columnsFor returns the (validation, test) column names of a canonical
// dataset at a fidelity; validation is "" where the CSV has none.
func columnsFor(dataset string, fidelity int) (val, test string, err error) {
	prefix := map[string]string{CIFAR10: "cifar10", CIFAR100: "cifar100", ImageNet16: "imagenet16"}[dataset]
	if prefix == "" {
		_, err := CanonicalDataset(dataset)
		return "", "", err
	}
	switch fidelity {
	case 200:
		return "", prefix + "_test_200ep", nil
	case 12:
		if dataset == CIFAR10 {
			return "cifar10valid_valid_12ep", "cifar10_test_12ep", nil
		}
		return prefix + "_valid_12ep", prefix + "_test_12ep", nil
	}
	return "", "", fmt.Errorf("nb201: fidelity %d not in the merged CSV (have 12 and 200)", fidelity)
}

// Merged is the parsed nb201_tss_merged.csv: one row per architecture with
// its official index and the accuracy columns of MergedColumns. It is
// immutable.
type Merged struct {
	source  string
	index   []int
	arch    []string
	cols    map[string][]float64 // NaN where a cell is empty
	byArch  map[string]int       // arch → row
	byIndex map[int]int          // index → row
}

// LoadMergedCSV reads nb201_tss_merged.csv. Every column of MergedColumns
// must be present (in any order); empty cells are treated as missing
// values; anything else must be a finite number. Results are cached per
// path, size and modification time.
func LoadMergedCSV(path string) (*Merged, error) {
	return cachedFile("csv", path, func(data []byte) (*Merged, error) {
		return ParseMergedCSV(data, path)
	})
}

// ParseMergedCSV parses the bytes of a merged CSV; source names the file in
// errors.
func ParseMergedCSV(data []byte, source string) (*Merged, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty file (no header)", source)
		}
		return nil, fmt.Errorf("%s: header: %w", source, err)
	}
	pos := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := pos[h]; dup {
			return nil, fmt.Errorf("%s: line 1: duplicate column %q", source, h)
		}
		pos[h] = i
	}
	var missing []string
	for _, c := range MergedColumns {
		if _, ok := pos[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: line 1: missing column(s) %s (want %s)", source,
			strings.Join(missing, ", "), strings.Join(MergedColumns, ","))
	}
	m := &Merged{
		source:  source,
		cols:    map[string][]float64{},
		byArch:  map[string]int{},
		byIndex: map[int]int{},
	}
	numCols := MergedColumns[2:]
	for _, c := range numCols {
		m.cols[c] = make([]float64, 0, NumArchs)
	}
	for row := 0; ; row++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		line, _ := r.FieldPos(0)
		cell := func(c string) string { return strings.TrimSpace(rec[pos[c]]) }
		idx, err := strconv.Atoi(cell("index"))
		if err != nil || idx < 0 {
			return nil, fmt.Errorf("%s: line %d (row %d): column index: bad index %q", source, line, row, cell("index"))
		}
		arch := cell("arch")
		if _, err := ParseArch(arch); err != nil {
			return nil, fmt.Errorf("%s: line %d (row %d): column arch: %w", source, line, row, err)
		}
		if j, dup := m.byArch[arch]; dup {
			return nil, fmt.Errorf("%s: line %d (row %d): arch %s repeats row %d", source, line, row, arch, j)
		}
		if j, dup := m.byIndex[idx]; dup {
			return nil, fmt.Errorf("%s: line %d (row %d): index %d repeats row %d", source, line, row, idx, j)
		}
		for _, c := range numCols {
			s := cell(c)
			v := math.NaN()
			if s != "" {
				v, err = strconv.ParseFloat(s, 64)
				if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("%s: line %d (row %d): column %s: bad number %q", source, line, row, c, s)
				}
			}
			m.cols[c] = append(m.cols[c], v)
		}
		m.byArch[arch] = row
		m.byIndex[idx] = row
		m.index = append(m.index, idx)
		m.arch = append(m.arch, arch)
	}
	return m, nil
}

// Source returns the file the table was read from.
func (m *Merged) Source() string { return m.source }

// Len returns the number of rows.
func (m *Merged) Len() int { return len(m.arch) }

// Arch returns the arch string and official index of row i.
func (m *Merged) Arch(row int) (arch string, index int) { return m.arch[row], m.index[row] }

// IndexOf returns the official NB201 index of an arch string.
func (m *Merged) IndexOf(arch string) (int, bool) {
	r, ok := m.byArch[arch]
	if !ok {
		return -1, false
	}
	return m.index[r], true
}

// ArchOf returns the arch string of an official NB201 index.
func (m *Merged) ArchOf(index int) (string, bool) {
	r, ok := m.byIndex[index]
	if !ok {
		return "", false
	}
	return m.arch[r], true
}

// Column returns a copy of a numeric column (NaN for empty cells), in row
// order, and whether the column exists.
func (m *Merged) Column(name string) ([]float64, bool) {
	c, ok := m.cols[name]
	if !ok {
		return nil, false
	}
	return append([]float64(nil), c...), true
}

// Table returns the table of a dataset (name or alias) at fidelity 12
// (validation and test) or 200 (test only: the CSV has no 200-epoch
// validation column; use the LAPT JSON for it), in row order.
func (m *Merged) Table(dataset string, fidelity int) (*bench.Table, error) {
	ds, err := CanonicalDataset(dataset)
	if err != nil {
		return nil, err
	}
	vc, tc, err := columnsFor(ds, fidelity)
	if err != nil {
		return nil, err
	}
	entries := make([]bench.Entry, len(m.arch))
	tv := m.cols[tc]
	var vv []float64
	if vc != "" {
		vv = m.cols[vc]
	}
	for i := range entries {
		e := bench.Entry{Arch: m.arch[i], Index: m.index[i]}
		if !math.IsNaN(tv[i]) {
			e.Test, e.HasTest = tv[i], true
		}
		if vv != nil && !math.IsNaN(vv[i]) {
			e.Val, e.HasVal = vv[i], true
		}
		entries[i] = e
	}
	return bench.NewTable(Space, ds, fidelity, m.source, entries)
}
