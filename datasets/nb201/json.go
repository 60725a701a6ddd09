package nb201

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/nasnb/nasnb/datasets/bench"
	"github.com/nasnb/nasnb/datasets/datadir"
	"github.com/nasnb/nasnb/internal/safefile"
)

// LoadLAPTJSON reads a LAPT-format NAS-Bench-201 JSON file (one object:
// arch string → {"val_acc_200", "test_acc_200", "rank"}) into a 200-epoch
// table in file order. Indexes are -1 (Load joins them from the merged
// CSV); "rank" goes to Extra["rank"] when present. The task is inferred
// from the file name (nasbench201_<dataset>.json), else left empty.
// Results are cached per path, size and modification time.
func LoadLAPTJSON(path string) (*bench.Table, error) {
	return cached("json", path, func(data []byte) (*bench.Table, error) {
		return ParseLAPTJSON(data, path, taskFromFileName(path))
	})
}

func taskFromFileName(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), ".json")
	ds, ok := strings.CutPrefix(base, "nasbench201_")
	if !ok {
		return ""
	}
	c, err := CanonicalDataset(ds)
	if err != nil {
		return ""
	}
	return c
}

type laptRecord struct {
	Val  *bench.PyFloat `json:"val_acc_200"`
	Test *bench.PyFloat `json:"test_acc_200"`
	Rank *bench.PyFloat `json:"rank"`
}

// ParseLAPTJSON parses the bytes of a LAPT-format JSON file; source names
// the file in errors and in the table, task is the table's dataset name.
// Every key must be a valid NAS-Bench-201 arch string and every value must
// hold finite val_acc_200 and test_acc_200 numbers.
func ParseLAPTJSON(data []byte, source, task string) (*bench.Table, error) {
	data = bench.FixPythonJSON(data)
	where := func(off int64) string {
		l, c := bench.LineCol(data, off)
		return fmt.Sprintf("%s:%d:%d", source, l, c)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where(dec.InputOffset()), jsonErr(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("%s: top level must be a JSON object (arch → record), got %v", where(0), tok)
	}
	entries := make([]bench.Entry, 0, NumArchs)
	for dec.More() {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where(off), jsonErr(err))
		}
		arch, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("%s: expected an arch string key, got %v", where(off), tok)
		}
		if _, err := ParseArch(arch); err != nil {
			return nil, fmt.Errorf("%s: key %q: %w", where(off), arch, err)
		}
		var rec laptRecord
		off = dec.InputOffset()
		if err := dec.Decode(&rec); err != nil {
			return nil, fmt.Errorf("%s: arch %q: %w", where(off), arch, jsonErr(err))
		}
		if rec.Val == nil || rec.Test == nil {
			return nil, fmt.Errorf("%s: arch %q: record lacks val_acc_200 or test_acc_200", where(off), arch)
		}
		e := bench.Entry{Arch: arch, Index: -1, Val: float64(*rec.Val), Test: float64(*rec.Test), HasVal: true, HasTest: true}
		if rec.Rank != nil {
			e.Extra = map[string]float64{"rank": float64(*rec.Rank)}
		}
		entries = append(entries, e)
	}
	off := dec.InputOffset()
	if _, err := dec.Token(); err != nil { // closing '}'
		return nil, fmt.Errorf("%s: %w", where(off), jsonErr(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: unexpected data after the top-level object", where(dec.InputOffset()))
	}
	return bench.NewTable(Space, task, 200, source, entries)
}

// jsonErr makes io.ErrUnexpectedEOF read as a truncated file.
func jsonErr(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("truncated JSON: %w", err)
	}
	return err
}

func readFile(path string) ([]byte, error) {
	data, err := safefile.ReadFile(path, datadir.MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("nb201: %w", err)
	}
	return data, nil
}
