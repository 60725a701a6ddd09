// Package zerocost loads the NAS-Bench-Suite-Zero zero-cost proxy files of
// NASLib (naslib/data/zc_nasbench201.json, zc_transbench101_micro.json,
// zc_transbench101_macro.json) into bench tables.
//
// File shape: {task: {"(t0, t1, ...)": {"idx", "arch", "val_accuracy",
// "flops": {"score", "time"}, "params": {...}, "synflow": {...}, ...}}}.
// Each table entry has Val = val_accuracy (the task's own metric), no test
// score, Index -1 (NASLib's "idx" is not the benchmark index; it is kept as
// Extra["naslib_idx"]), and Extra[name] = score for every {score, time}
// field present: the proxies synflow, nwot, jacov, snip, grasp, fisher,
// grad_norm, l2_norm, plain, epe_nas (the TransNAS-Bench-101 files have no
// synflow, and their epe_nas uses -1e8 for failures), and flops and params. Proxy scores may be ±Inf
// (Python's -Infinity is accepted); NaN scores are left out of Extra.
//
// Keys are converted to the benchmarks' arch strings:
//
//   - NAS-Bench-201: the tuple uses op order [skip_connect, none,
//     nor_conv_3x3, nor_conv_1x1, avg_pool_3x3] and edge order
//     (1,2),(1,3),(1,4),(2,3),(2,4),(3,4), so t maps to
//     |o(t0)~0|+|o(t1)~0|o(t3)~1|+|o(t2)~0|o(t4)~1|o(t5)~2|;
//   - TransNAS-Bench-101 micro (ops 0 none, 1 skip, 2 conv1x1, 3 conv3x3):
//     64-41414-{t0}_{t1}{t2}_{t3}{t4}{t5};
//   - TransNAS-Bench-101 macro: 64-{non-zero digits}-basic.
package zerocost

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/nasnb/nasnb/datasets/bench"
	"github.com/nasnb/nasnb/datasets/datadir"
	"github.com/nasnb/nasnb/datasets/nb201"
	"github.com/nasnb/nasnb/internal/safefile"
	"github.com/nasnb/nasnb/lapt/space"
)

// Proxies are the zero-cost proxy names found in the NASLib files.
var Proxies = []string{"synflow", "nwot", "jacov", "snip", "grasp", "fisher", "grad_norm", "l2_norm", "plain", "epe_nas"}

// TransNASTasks are the TransNAS-Bench-101 task names.
var TransNASTasks = []string{"class_scene", "class_object", "autoencoder", "normal", "jigsaw", "room_layout", "segmentsemantic"}

// Space names of the tables this package builds.
const (
	SpaceNB201         = nb201.Space
	SpaceTransNASMicro = "transnas-micro"
	SpaceTransNASMacro = "transnas-macro"
)

// nb201ZCOps maps the op digits of NASLib's NB201 tuples to the cell's op ids.
var nb201ZCOps = [5]int{space.OpSkip, space.OpNone, space.OpConv3x3, space.OpConv1x1, space.OpAvgPool}

func parseTuple(key string, maxDigit int) ([]int, error) {
	s := strings.TrimSpace(key)
	if len(s) < 2 || s[0] != '(' || s[len(s)-1] != ')' {
		return nil, fmt.Errorf("key %q is not a tuple like \"(0, 1, 2, 3, 4, 0)\"", key)
	}
	parts := strings.Split(s[1:len(s)-1], ",")
	if len(parts) != 6 {
		return nil, fmt.Errorf("key %q has %d elements, want 6", key, len(parts))
	}
	t := make([]int, 6)
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 || v > maxDigit {
			return nil, fmt.Errorf("key %q: element %d is %q, want an integer 0..%d", key, i, strings.TrimSpace(p), maxDigit)
		}
		t[i] = v
	}
	return t, nil
}

// NB201Arch converts a NASLib NAS-Bench-201 tuple key such as
// "(0, 2, 3, 2, 3, 1)" into the NAS-Bench-201 arch string.
func NB201Arch(key string) (string, error) {
	t, err := parseTuple(key, 4)
	if err != nil {
		return "", err
	}
	o := func(i int) int { return nb201ZCOps[t[i]] }
	// NASLib orders the edges 0->1, 0->2, 0->3, 1->2, 1->3, 2->3.
	a, err := space.NewArch(o(0), o(1), o(3), o(2), o(4), o(5))
	if err != nil {
		return "", err
	}
	return space.NB201().Format(a), nil
}

// MicroArch converts a NASLib TransNAS-Bench-101 micro tuple key into the
// arch string 64-41414-{t0}_{t1}{t2}_{t3}{t4}{t5}.
func MicroArch(key string) (string, error) {
	t, err := parseTuple(key, 3)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("64-41414-%d_%d%d_%d%d%d", t[0], t[1], t[2], t[3], t[4], t[5]), nil
}

// MacroArch converts a NASLib TransNAS-Bench-101 macro tuple key into the
// arch string 64-{non-zero digits}-basic. Zeros may only pad the end and
// there must be 4 to 6 non-zero digits (the macro space's depths).
func MacroArch(key string) (string, error) {
	t, err := parseTuple(key, 4)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("64-")
	n := 0
	for i, v := range t {
		if v == 0 {
			continue
		}
		if n != i {
			return "", fmt.Errorf("key %q: zero before a non-zero element", key)
		}
		b.WriteByte(byte('0' + v))
		n++
	}
	if n < 4 {
		return "", fmt.Errorf("key %q: %d modules, want 4 to 6", key, n)
	}
	b.WriteString("-basic")
	return b.String(), nil
}

// LoadNB201 reads zc_nasbench201.json into one 200-epoch table per
// dataset, keyed by canonical dataset name (nb201.CIFAR10, nb201.CIFAR100,
// nb201.ImageNet16).
func LoadNB201(path string) (map[string]*bench.Table, error) {
	data, err := safefile.ReadFile(path, datadir.MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("zerocost: %w", err)
	}
	return ParseNB201(data, path)
}

// ParseNB201 parses the bytes of zc_nasbench201.json; source names the file
// in errors and tables.
func ParseNB201(data []byte, source string) (map[string]*bench.Table, error) {
	return parse(data, source, SpaceNB201, 200, nb201.CanonicalDataset, NB201Arch)
}

// LoadTransNAS reads zc_transbench101_<kind>.json (kind "micro" or
// "macro") into one table per task, keyed by task name (class_scene,
// class_object, autoencoder, normal, jigsaw, room_layout, segmentsemantic).
func LoadTransNAS(path, kind string) (map[string]*bench.Table, error) {
	if kind != "micro" && kind != "macro" {
		return nil, fmt.Errorf("zerocost: TransNAS kind %q, want \"micro\" or \"macro\"", kind)
	}
	data, err := safefile.ReadFile(path, datadir.MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("zerocost: %w", err)
	}
	return ParseTransNAS(data, path, kind)
}

// ParseTransNAS parses the bytes of a TransNAS-Bench-101 zero-cost file.
func ParseTransNAS(data []byte, source, kind string) (map[string]*bench.Table, error) {
	task := func(name string) (string, error) {
		for _, t := range TransNASTasks {
			if t == name {
				return t, nil
			}
		}
		return "", fmt.Errorf("unknown TransNAS-Bench-101 task %q (valid: %s)", name, strings.Join(TransNASTasks, ", "))
	}
	switch kind {
	case "micro":
		return parse(data, source, SpaceTransNASMicro, 0, task, MicroArch)
	case "macro":
		return parse(data, source, SpaceTransNASMacro, 0, task, MacroArch)
	}
	return nil, fmt.Errorf("zerocost: TransNAS kind %q, want \"micro\" or \"macro\"", kind)
}

type scoreField struct {
	Score *bench.PyFloat `json:"score"`
}

func parse(data []byte, source, space string, fidelity int,
	taskName func(string) (string, error), archOf func(string) (string, error)) (map[string]*bench.Table, error) {
	data = bench.FixPythonJSON(data)
	where := func(off int64) string {
		l, c := bench.LineCol(data, off)
		return fmt.Sprintf("%s:%d:%d", source, l, c)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	fail := func(off int64, ctx string, err error) error {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("truncated JSON: %w", err)
		}
		if ctx != "" {
			return fmt.Errorf("%s: %s: %w", where(off), ctx, err)
		}
		return fmt.Errorf("%s: %w", where(off), err)
	}
	expectDelim := func(want json.Delim, ctx string) error {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return fail(off, ctx, err)
		}
		if d, ok := tok.(json.Delim); !ok || d != want {
			return fail(off, ctx, fmt.Errorf("expected %q, got %v", want, tok))
		}
		return nil
	}
	key := func(ctx string) (string, int64, error) {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return "", off, fail(off, ctx, err)
		}
		s, ok := tok.(string)
		if !ok {
			return "", off, fail(off, ctx, fmt.Errorf("expected a string key, got %v", tok))
		}
		return s, off, nil
	}
	if err := expectDelim('{', "top level (task → archs)"); err != nil {
		return nil, err
	}
	tables := map[string]*bench.Table{}
	for dec.More() {
		rawTask, off, err := key("task name")
		if err != nil {
			return nil, err
		}
		task, err := taskName(rawTask)
		if err != nil {
			return nil, fail(off, "", err)
		}
		if _, dup := tables[task]; dup {
			return nil, fail(off, "", fmt.Errorf("task %q appears twice", rawTask))
		}
		if err := expectDelim('{', "task "+rawTask); err != nil {
			return nil, err
		}
		var entries []bench.Entry
		for dec.More() {
			k, off, err := key("task " + rawTask)
			if err != nil {
				return nil, err
			}
			ctx := fmt.Sprintf("task %s, key %s", rawTask, k)
			arch, err := archOf(k)
			if err != nil {
				return nil, fail(off, "task "+rawTask, err)
			}
			var rec map[string]json.RawMessage
			off = dec.InputOffset()
			if err := dec.Decode(&rec); err != nil {
				return nil, fail(off, ctx, err)
			}
			if rec == nil {
				return nil, fail(off, ctx, errors.New("record is null"))
			}
			e, err := entryOf(arch, k, rec, archOf)
			if err != nil {
				return nil, fail(off, ctx, err)
			}
			entries = append(entries, e)
		}
		if err := expectDelim('}', "task "+rawTask); err != nil {
			return nil, err
		}
		t, err := bench.NewTable(space, task, fidelity, source, entries)
		if err != nil {
			return nil, fmt.Errorf("task %s: %w", rawTask, err)
		}
		tables[task] = t
	}
	if err := expectDelim('}', "top level"); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fail(dec.InputOffset(), "", errors.New("unexpected data after the top-level object"))
	}
	return tables, nil
}

func entryOf(arch, key string, rec map[string]json.RawMessage, archOf func(string) (string, error)) (bench.Entry, error) {
	e := bench.Entry{Arch: arch, Index: -1, Extra: map[string]float64{}}
	raw, ok := rec["val_accuracy"]
	if !ok {
		return e, errors.New("record lacks val_accuracy")
	}
	var v bench.PyFloat
	if err := json.Unmarshal(raw, &v); err != nil {
		return e, fmt.Errorf("val_accuracy: %w", err)
	}
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		return e, fmt.Errorf("val_accuracy is %v", float64(v))
	}
	e.Val, e.HasVal = float64(v), true
	if raw, ok := rec["arch"]; ok {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return e, fmt.Errorf("arch: %w", err)
		}
		if a, err := archOf(s); err != nil || a != arch {
			return e, fmt.Errorf("arch field %q does not match the key %q", s, key)
		}
	}
	if raw, ok := rec["idx"]; ok {
		var s any
		if err := json.Unmarshal(raw, &s); err == nil {
			var idx float64
			var perr error
			switch x := s.(type) {
			case string:
				idx, perr = strconv.ParseFloat(x, 64)
			case float64:
				idx = x
			default:
				perr = errors.New("not a number")
			}
			if perr != nil || math.IsNaN(idx) || math.IsInf(idx, 0) {
				return e, fmt.Errorf("idx %s is not a number", raw)
			}
			e.Extra["naslib_idx"] = idx
		}
	}
	for name, raw := range rec {
		if len(raw) == 0 || raw[0] != '{' {
			continue
		}
		var sf scoreField
		if err := json.Unmarshal(raw, &sf); err != nil {
			return e, fmt.Errorf("%s: %w", name, err)
		}
		if sf.Score == nil {
			continue
		}
		if s := float64(*sf.Score); !math.IsNaN(s) {
			e.Extra[name] = s
		}
	}
	return e, nil
}
