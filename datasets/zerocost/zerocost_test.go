package zerocost

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/datasets/nb201"
	"github.com/nasnb/nasnb/internal/datatest"
)

func sharedDir(tb testing.TB) string {
	tb.Helper()
	return datatest.Dir(tb)
}

func TestKeyMapping(t *testing.T) {
	a, err := NB201Arch("(0, 2, 3, 2, 3, 1)")
	if err != nil || a != "|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_1x1~1|none~2|" {
		t.Errorf("NB201Arch = %q, %v", a, err)
	}
	if a, err := MicroArch("(1, 0, 0, 2, 1, 0)"); err != nil || a != "64-41414-1_00_210" {
		t.Errorf("MicroArch = %q, %v", a, err)
	}
	if a, err := MacroArch("(1, 2, 4, 2, 0, 0)"); err != nil || a != "64-1242-basic" {
		t.Errorf("MacroArch = %q, %v", a, err)
	}
	for _, bad := range []string{"", "()", "(1, 2)", "(1, 2, 3, 4, 5, 6)", "[0, 0, 0, 0, 0, 0]", "(a, 0, 0, 0, 0, 0)", "(-1, 0, 0, 0, 0, 0)"} {
		if _, err := NB201Arch(bad); err == nil {
			t.Errorf("NB201Arch(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"(4, 0, 0, 0, 0, 0)", "(1, 2)"} {
		if _, err := MicroArch(bad); err == nil {
			t.Errorf("MicroArch(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"(1, 0, 2, 2, 2, 0)", "(1, 2, 3, 0, 0, 0)", "(5, 1, 1, 1, 0, 0)"} {
		if _, err := MacroArch(bad); err == nil {
			t.Errorf("MacroArch(%q) accepted", bad)
		}
	}
}

func ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	r := make([]float64, len(x))
	for k, i := range idx {
		r[i] = float64(k)
	}
	return r
}

func pearson(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

// TestNB201AgainstLAPT checks the key mapping on the real data: NASLib's
// val_accuracy is a single-seed 200-epoch validation accuracy, so it does
// not equal the LAPT JSON's seed-mean val_acc_200, but it tracks it closely
// (Pearson > 0.99, Spearman > 0.98, median |diff| < 1 point), while a wrong
// edge order gives a Spearman of about 0.74.
func TestNB201AgainstLAPT(t *testing.T) {
	dir := sharedDir(t)
	tabs, err := LoadNB201(filepath.Join(dir, "zero-cost", "zc_nasbench201.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tabs) != 3 {
		t.Fatalf("got %d datasets", len(tabs))
	}
	for _, ds := range nb201.Datasets() {
		zc := tabs[ds]
		if zc == nil || zc.Len() < 700 || zc.Len() > 750 || zc.Task() != ds || zc.Space() != SpaceNB201 {
			t.Fatalf("%s: %v", ds, zc)
		}
		lapt, err := nb201.Load(dir, ds, 200)
		if err != nil {
			t.Fatal(err)
		}
		var x, y, diff []float64
		for _, e := range zc.Entries() {
			if !nb201.ValidArch(e.Arch) {
				t.Fatalf("%s: invalid arch %q", ds, e.Arch)
			}
			l, ok := lapt.Lookup(e.Arch)
			if !ok {
				t.Fatalf("%s: %s not in NB201", ds, e.Arch)
			}
			for _, p := range append(Proxies, "flops", "params", "naslib_idx") {
				if _, ok := e.Extra[p]; !ok {
					t.Fatalf("%s %s: no %s", ds, e.Arch, p)
				}
			}
			x = append(x, e.Val)
			y = append(y, l.Val)
			diff = append(diff, math.Abs(e.Val-l.Val))
		}
		sort.Float64s(diff)
		p, s, med := pearson(x, y), pearson(ranks(x), ranks(y)), diff[len(diff)/2]
		t.Logf("%s: %d archs, pearson %.4f spearman %.4f median |diff| %.3f", ds, len(x), p, s, med)
		if p < 0.99 || s < 0.98 || med > 1 {
			t.Errorf("%s: zero-cost val_accuracy does not track LAPT val: pearson %.4f spearman %.4f median %.3f", ds, p, s, med)
		}
	}
	// Python's -Infinity proxy scores survive.
	inf := 0
	for _, tb := range tabs {
		for _, e := range tb.Entries() {
			for _, v := range e.Extra {
				if math.IsInf(v, -1) {
					inf++
				}
			}
		}
	}
	if inf == 0 {
		t.Error("expected some -Infinity proxy scores")
	}
}

func TestTransNAS(t *testing.T) {
	dir := sharedDir(t)
	micro := regexp.MustCompile(`^64-41414-[0-3]_[0-3]{2}_[0-3]{3}$`)
	macro := regexp.MustCompile(`^64-[1-4]{4,6}-basic$`)
	for kind, re := range map[string]*regexp.Regexp{"micro": micro, "macro": macro} {
		tabs, err := LoadTransNAS(filepath.Join(dir, "zero-cost", "zc_transbench101_"+kind+".json"), kind)
		if err != nil {
			t.Fatal(err)
		}
		if len(tabs) != len(TransNASTasks) {
			t.Fatalf("%s: %d tasks", kind, len(tabs))
		}
		for _, task := range TransNASTasks {
			tb := tabs[task]
			if tb == nil || tb.Len() < 662 || tb.Len() > 725 || tb.Space() != "transnas-"+kind {
				t.Fatalf("%s/%s: %v", kind, task, tb)
			}
			for _, e := range tb.Entries() {
				if !re.MatchString(e.Arch) {
					t.Fatalf("%s/%s: bad arch %q", kind, task, e.Arch)
				}
				if _, ok := e.Extra["jacov"]; !ok { // TransNAS files have no synflow
					t.Fatalf("%s/%s: no jacov", kind, task)
				}
			}
		}
		if room := tabs["room_layout"].Best(true); room.Val > 0 {
			t.Errorf("%s room_layout val should be a negative loss, best %v", kind, room.Val)
		}
	}
	if _, err := LoadTransNAS("x", "mezzo"); err == nil {
		t.Error("bad kind accepted")
	}
}

const rec = `{"idx": "1", "arch": "(0, 2, 3, 2, 3, 1)", "val_accuracy": 86.06, "flops": {"score": 88.3, "time": 0.4}, "synflow": {"score": -Infinity, "time": 0.4}, "nwot": {"score": NaN, "time": 1}}`

func TestErrors(t *testing.T) {
	cases := map[string]string{
		"truncated JSON":         `{"cifar10": {"(0, 2, 3, 2, 3, 1)": ` + rec[:40],
		"unknown dataset":        `{"mnist": {}}`,
		"not a tuple":            `{"cifar10": {"0,1": ` + rec + `}}`,
		"lacks val_accuracy":     `{"cifar10": {"(0, 2, 3, 2, 3, 1)": {"idx": "1"}}}`,
		"does not match":         `{"cifar10": {"(0, 2, 3, 2, 3, 0)": ` + rec + `}}`,
		"val_accuracy is NaN":    `{"cifar10": {"(0, 2, 3, 2, 3, 1)": {"val_accuracy": NaN}}}`,
		"val_accuracy: \"x\" is": `{"cifar10": {"(0, 2, 3, 2, 3, 1)": {"val_accuracy": "x"}}}`,
		"appears twice":          `{"cifar10": {}, "cifar10-valid": {}}`,
		"duplicate":              `{"cifar10": {"(0, 2, 3, 2, 3, 1)": ` + rec + `, "(0,2,3,2,3,1)": ` + rec + `}}`,
		"expected \"{\"":         `{"cifar10": [1]}`,
		"record is null":         `{"cifar10": {"(0, 2, 3, 2, 3, 1)": null}}`,
		"after":                  `{} x`,
	}
	for want, body := range cases {
		p := filepath.Join(t.TempDir(), "zc.json")
		os.WriteFile(p, []byte(body), 0o644)
		_, err := LoadNB201(p)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: err = %v", want, err)
		}
	}
	if _, err := LoadNB201(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("missing file")
	}
	_, err := ParseTransNAS([]byte(`{"class_thing": {}}`), "t.json", "micro")
	if err == nil || !strings.Contains(err.Error(), "class_scene") {
		t.Errorf("unknown task: %v", err)
	}
}

func TestInlineRecord(t *testing.T) {
	tabs, err := ParseNB201([]byte(`{"cifar10": {"(0, 2, 3, 2, 3, 1)": `+rec+`}}`), "x.json")
	if err != nil {
		t.Fatal(err)
	}
	e := tabs["cifar10"].At(0)
	if e.Val != 86.06 || e.HasTest || e.Index != -1 || e.Extra["flops"] != 88.3 || !math.IsInf(e.Extra["synflow"], -1) || e.Extra["naslib_idx"] != 1 {
		t.Errorf("%+v", e)
	}
	if _, ok := e.Extra["nwot"]; ok {
		t.Error("NaN score kept")
	}
}
