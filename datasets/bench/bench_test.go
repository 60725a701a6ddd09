package bench

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func mk(arch string, idx int, val, test float64) Entry {
	return Entry{Arch: arch, Index: idx, Val: val, Test: test, HasVal: true, HasTest: true}
}

func TestNewTableRejects(t *testing.T) {
	cases := map[string][]Entry{
		"empty architecture":      {{Arch: "", Index: -1}},
		"duplicate architecture":  {mk("a", 0, 1, 1), mk("a", 1, 2, 2)},
		"duplicate index":         {mk("a", 3, 1, 1), mk("b", 3, 2, 2)},
		"invalid index":           {mk("a", -2, 1, 1)},
		"validation score is NaN": {mk("a", 0, math.NaN(), 1)},
		"test score is +Inf":      {mk("a", 0, 1, math.Inf(1))},
		"is NaN":                  {{Arch: "a", Index: -1, Extra: map[string]float64{"synflow": math.NaN()}}},
	}
	for want, entries := range cases {
		_, err := NewTable("s", "t", 0, "f.json", entries)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "f.json") {
			t.Errorf("%s: err = %v", want, err)
		}
	}
	if _, err := NewTable("s", "t", -1, "", nil); err == nil {
		t.Error("negative fidelity accepted")
	}
	// NaN is fine where the score is absent; -Inf is fine in Extra.
	if _, err := NewTable("s", "t", 0, "", []Entry{{Arch: "a", Index: -1, Val: math.NaN(), Extra: map[string]float64{"p": math.Inf(-1)}}}); err != nil {
		t.Error(err)
	}
}

func TestRanking(t *testing.T) {
	var entries []Entry
	for i := 0; i < 1000; i++ {
		entries = append(entries, mk(string(rune('a'+i%26))+strings.Repeat("x", i/26), i, float64(i%500), float64(1000-i)))
	}
	entries = append(entries, Entry{Arch: "noscore", Index: -1})
	tb, err := NewTable("s", "t", 12, "src", entries)
	if err != nil {
		t.Fatal(err)
	}
	if tb.Len() != 1001 || tb.Count(true) != 1000 || tb.Space() != "s" || tb.Task() != "t" || tb.Fidelity() != 12 || tb.Source() != "src" {
		t.Fatalf("accessors: %v", tb)
	}
	// val ties: i=499 and i=999 both 499; the earlier wins.
	if b := tb.Best(true); b.Index != 499 {
		t.Errorf("Best(val) index %d", b.Index)
	}
	if b := tb.Best(false); b.Index != 0 || b.Test != 1000 {
		t.Errorf("Best(test) %+v", b)
	}
	top := tb.TopK(3, true)
	if len(top) != 3 || top[0].Index != 499 || top[1].Index != 999 || top[2].Index != 498 {
		t.Errorf("TopK = %+v", top)
	}
	if len(tb.TopK(5000, true)) != 1000 || tb.TopK(0, true) != nil {
		t.Error("TopK bounds")
	}
	// top 1% of 1000 = 10th best val: 499,499,498,498,...,495,495 → 495.
	if th := tb.Threshold(0.01, true); th != 495 {
		t.Errorf("Threshold(1%%) = %v", th)
	}
	if !math.IsNaN(tb.Threshold(0, true)) || !math.IsNaN(tb.Threshold(1.5, true)) || !math.IsNaN(tb.Threshold(math.NaN(), true)) {
		t.Error("Threshold of a bad fraction should be NaN")
	}
	if tb.Threshold(1, false) != 1 {
		t.Error("Threshold(1) should be the worst score")
	}
	if r, ok := tb.Rank(entries[999].Arch, true); !ok || r != 1 {
		t.Errorf("Rank = %d %v", r, ok)
	}
	if _, ok := tb.Rank("noscore", true); ok {
		t.Error("Rank of a scoreless entry")
	}
	if e, ok := tb.Lookup("b"); !ok || e.Index != 1 {
		t.Errorf("Lookup = %+v %v", e, ok)
	}
	if e, ok := tb.Lookup("zzz"); ok || e.Index != -1 {
		t.Error("Lookup of unknown arch")
	}
	es := tb.Entries()
	es[0].Arch = "changed"
	if tb.At(0).Arch == "changed" {
		t.Error("Entries must return a copy")
	}
	empty, _ := NewTable("s", "t", 0, "", nil)
	if empty.Best(true).Index != -1 || !math.IsNaN(empty.Threshold(0.1, true)) {
		t.Error("empty table")
	}
	if !strings.Contains(tb.String(), "1001 archs") {
		t.Error(tb.String())
	}
}

func TestThresholdNB201Fraction(t *testing.T) {
	entries := make([]Entry, 15625)
	for i := range entries {
		entries[i] = mk(string(rune(0x4e00+i)), i, float64(i), 0)
	}
	tb, _ := NewTable("nb201", "x", 200, "", entries)
	if k := tb.TopCount(0.001, true); k != 16 {
		t.Fatalf("TopCount(0.1%%) = %d, want 16", k)
	}
	if th := tb.Threshold(0.001, true); th != 15625-16 {
		t.Fatalf("Threshold = %v", th)
	}
}

func TestFixPythonJSON(t *testing.T) {
	in := `{"a": NaN, "b": -Infinity, "c": Infinity, "s": "NaN -Infinity \" Infinity", "d": [1, -2]}`
	out := FixPythonJSON([]byte(in))
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	if v["s"] != `NaN -Infinity " Infinity` {
		t.Errorf("string changed: %q", v["s"])
	}
	var f struct{ A, B, C PyFloat }
	json.Unmarshal(out, &f)
	if !math.IsNaN(float64(f.A)) || !math.IsInf(float64(f.B), -1) || !math.IsInf(float64(f.C), 1) {
		t.Errorf("%+v", f)
	}
	plain := []byte(`{"x": 1}`)
	if &FixPythonJSON(plain)[0] != &plain[0] {
		t.Error("data without literals should not be copied")
	}
	var p PyFloat
	for _, bad := range []string{`"x"`, `null`, `true`, `"nan"`} {
		if err := p.UnmarshalJSON([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestLineCol(t *testing.T) {
	d := []byte("ab\ncd\nef")
	for _, c := range []struct {
		off       int64
		line, col int
	}{{0, 1, 1}, {1, 1, 2}, {3, 2, 1}, {7, 3, 2}, {100, 3, 3}, {-5, 1, 1}} {
		if l, k := LineCol(d, c.off); l != c.line || k != c.col {
			t.Errorf("LineCol(%d) = %d:%d, want %d:%d", c.off, l, k, c.line, c.col)
		}
	}
}

func FuzzFixPythonJSON(f *testing.F) {
	f.Add([]byte(`{"a": NaN, "s": "x\"NaN", "b": -Infinity}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out := FixPythonJSON(data)
		// Valid JSON stays valid and equal; the result never loses bytes.
		if json.Valid(data) && string(out) != string(data) && !strings.Contains(string(data), "NaN") && !strings.Contains(string(data), "Infinity") {
			t.Fatalf("valid JSON changed: %q → %q", data, out)
		}
		if len(out) < len(data) {
			t.Fatalf("output shorter than input")
		}
	})
}
