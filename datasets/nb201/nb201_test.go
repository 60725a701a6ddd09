package nb201

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nasnb/nasnb/internal/datatest"
)

func sharedDir(tb testing.TB) string {
	tb.Helper()
	return datatest.Dir(tb)
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-3 }

func TestFacts(t *testing.T) {
	dir := sharedDir(t)
	facts := []struct {
		ds                       string
		bestTest, bestVal, top01 float64
	}{
		{CIFAR10, 94.3733, 91.6067, 91.418},
		{CIFAR100, 73.5133, 73.4933, 72.593},
		{ImageNet16, 47.3111, 46.7333, 46.267},
	}
	for _, f := range facts {
		tb, err := Load(dir, f.ds, 200)
		if err != nil {
			t.Fatal(err)
		}
		if tb.Len() != NumArchs || tb.Task() != f.ds || tb.Fidelity() != 200 || tb.Space() != Space {
			t.Errorf("%s: %v", f.ds, tb)
		}
		bt, bv := tb.Best(false), tb.Best(true)
		if !near(bt.Test, f.bestTest) {
			t.Errorf("%s best test %v, want %v", f.ds, bt.Test, f.bestTest)
		}
		if !near(bv.Val, f.bestVal) {
			t.Errorf("%s best val %v, want %v", f.ds, bv.Val, f.bestVal)
		}
		if th := tb.Threshold(0.001, true); !near(th, f.top01) {
			t.Errorf("%s top-0.1%% threshold %v, want %v", f.ds, th, f.top01)
		}
		if f.ds == CIFAR10 {
			if bt.Index != 6111 {
				t.Errorf("cifar10 best test index %d, want 6111", bt.Index)
			}
			if !near(bv.Test, 94.3733) {
				t.Errorf("cifar10 best-val arch test %v", bv.Test)
			}
		}
		// index order 0..15624
		for i, e := range tb.Entries() {
			if e.Index != i {
				t.Fatalf("%s entry %d has index %d", f.ds, i, e.Index)
			}
		}
	}
}

func TestFidelity12AndCSV(t *testing.T) {
	dir := sharedDir(t)
	m, err := LoadMergedCSV(filepath.Join(dir, "nasbench201", MergedCSVFile))
	if err != nil {
		t.Fatal(err)
	}
	if m.Len() != NumArchs {
		t.Fatalf("rows %d", m.Len())
	}
	a0, i0 := m.Arch(0)
	if i0 != 0 || a0 != "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|" {
		t.Errorf("row 0 = %d %s", i0, a0)
	}
	tb, err := Load(dir, "cifar10-valid", 12)
	if err != nil {
		t.Fatal(err)
	}
	e := tb.At(0)
	if e.Index != 0 || !near(e.Val, 63.364) || !near(e.Test, 69.55) {
		t.Errorf("cifar10@12 row 0: %+v", e)
	}
	tb, _ = Load(dir, "ImageNet16-120", 12)
	if e := tb.At(0); !near(e.Val, 18.466667) || !near(e.Test, 17.0) {
		t.Errorf("imagenet@12 row 0: %+v", e)
	}
	// The CSV's 200-epoch test (NATS-Bench, mean over seeds) equals the
	// LAPT JSON test for most archs; about 15% differ (by up to ~5 points),
	// as the two derive from different benchmark releases.
	for _, ds := range Datasets() {
		csv200, err := m.Table(ds, 200)
		if err != nil {
			t.Fatal(err)
		}
		js, _ := Load(dir, ds, 200)
		if csv200.Count(true) != 0 {
			t.Errorf("CSV has no 200-epoch val")
		}
		same := 0
		for _, e := range csv200.Entries() {
			j, ok := js.Lookup(e.Arch)
			if !ok || j.Index != e.Index || math.Abs(j.Test-e.Test) > 5 {
				t.Fatalf("%s %s: csv %+v json %+v", ds, e.Arch, e, j)
			}
			if near(j.Test, e.Test) {
				same++
			}
		}
		if frac := float64(same) / NumArchs; frac < 0.8 {
			t.Errorf("%s: only %.1f%% of CSV/JSON 200-epoch test values agree", ds, 100*frac)
		}
	}
	if _, ok := m.Column("cifar10_test_12ep"); !ok {
		t.Error("Column")
	}
	if idx, ok := m.IndexOf(a0); !ok || idx != 0 {
		t.Error("IndexOf")
	}
	if a, ok := m.ArchOf(0); !ok || a != a0 {
		t.Error("ArchOf")
	}
	if _, err := m.Table("cifar10", 50); err == nil {
		t.Error("fidelity 50 accepted")
	}
}

func TestLoadJSONWithoutCSV(t *testing.T) {
	dir := sharedDir(t)
	tmp := t.TempDir()
	b, err := os.ReadFile(filepath.Join(dir, "nasbench201", "nasbench201_cifar100.json"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(tmp, "nasbench201_cifar100.json"), b, 0o644)
	tb, err := Load(tmp, "CIFAR100", 200)
	if err != nil {
		t.Fatal(err)
	}
	if tb.At(0).Index != -1 || !near(tb.Best(false).Test, 73.5133) {
		t.Errorf("no-CSV load: %+v", tb.At(0))
	}
	if _, err := Load(tmp, "cifar100", 12); err == nil || !strings.Contains(err.Error(), MergedCSVFile) {
		t.Errorf("missing CSV: %v", err)
	}
}

func TestCanonicalDataset(t *testing.T) {
	for in, want := range map[string]string{
		"cifar10": CIFAR10, "cifar10-valid": CIFAR10, "CIFAR10": CIFAR10, "cifar100": CIFAR100,
		"imagenet": ImageNet16, "ImageNet16-120": ImageNet16, "imagenet16": ImageNet16,
	} {
		if got, err := CanonicalDataset(in); err != nil || got != want {
			t.Errorf("%s → %s, %v", in, got, err)
		}
	}
	_, err := CanonicalDataset("mnist")
	if err == nil || !strings.Contains(err.Error(), "cifar10, cifar100, imagenet16-120") {
		t.Errorf("unknown dataset error: %v", err)
	}
	if _, err := Load(t.TempDir(), "mnist", 200); err == nil {
		t.Error("Load of unknown dataset")
	}
	if _, err := Load(t.TempDir(), "cifar10", 100); err == nil || !strings.Contains(err.Error(), "fidelity") {
		t.Errorf("bad fidelity: %v", err)
	}
}

func TestParseArch(t *testing.T) {
	s := "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
	ops, err := ParseArch(s)
	if err != nil || ops != [6]string{"nor_conv_3x3", "nor_conv_3x3", "avg_pool_3x3", "skip_connect", "nor_conv_3x3", "skip_connect"} {
		t.Fatalf("%v %v", ops, err)
	}
	for _, bad := range []string{"", "|a~0|", "|none~0|+|none~0|none~1|+|none~0|none~1|conv~2|",
		"|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
		"|none~0|+|none~0|+|none~0|none~1|none~2|"} {
		if ValidArch(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

const a1 = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
const a2 = "|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|"

func TestLAPTJSONErrors(t *testing.T) {
	cases := map[string]string{
		"truncated":      `{"` + a1 + `": {"val_acc_200": 1, "test_acc_200": 2}, "` + a2 + `": {"val_acc`,
		"top level":      `[1, 2]`,
		"bad arch":       `{"|foo~0|": {"val_acc_200": 1, "test_acc_200": 2}}`,
		"not a number":   `{"` + a1 + `": {"val_acc_200": "x", "test_acc_200": 2}}`,
		"lacks":          `{"` + a1 + `": {"test_acc_200": 2}}`,
		"NaN":            `{"` + a1 + `": {"val_acc_200": NaN, "test_acc_200": 2}}`,
		"duplicate":      `{"` + a1 + `": {"val_acc_200": 1, "test_acc_200": 2}, "` + a1 + `": {"val_acc_200": 1, "test_acc_200": 2}}`,
		"after":          `{} {}`,
		"truncated JSON": ``,
	}
	for want, body := range cases {
		p := filepath.Join(t.TempDir(), "nasbench201_cifar10.json")
		os.WriteFile(p, []byte(body), 0o644)
		_, err := LoadLAPTJSON(p)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: err = %v", want, err)
		}
	}
	_, err := ParseLAPTJSON([]byte("{\n\"x\": 1}"), "f.json", "")
	if err == nil || !strings.Contains(err.Error(), "f.json:2:") {
		t.Errorf("line number missing: %v", err)
	}
}

func TestMergedCSVErrors(t *testing.T) {
	hdr := strings.Join(MergedColumns, ",") + "\n"
	row := func(idx, arch, v string) string { return idx + "," + arch + strings.Repeat(","+v, 9) + "\n" }
	cases := map[string]string{
		"empty file":             "",
		"missing column":         "index,arch,cifar10_test_200ep\n0," + a1 + ",1\n",
		"duplicate column":       "index,index\n",
		"bad index":              hdr + row("x", a1, "1"),
		"column arch":            hdr + row("0", "|bad|", "1"),
		`bad number "abc"`:       hdr + row("0", a1, "abc"),
		"wrong number of fields": hdr + "0," + a1 + ",1\n",
		"repeats row":            hdr + row("0", a1, "1") + row("0", a2, "1"),
		"line 3":                 hdr + row("0", a1, "1") + row("1", a2, "inf"),
	}
	for want, body := range cases {
		p := filepath.Join(t.TempDir(), MergedCSVFile)
		os.WriteFile(p, []byte(body), 0o644)
		_, err := LoadMergedCSV(p)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: err = %v", want, err)
		}
	}
	// empty cells are missing values
	m, err := ParseMergedCSV([]byte(hdr+row("5", a1, "")), "x.csv")
	if err != nil {
		t.Fatal(err)
	}
	tb, _ := m.Table("cifar100", 12)
	if e := tb.At(0); e.HasVal || e.HasTest || e.Index != 5 {
		t.Errorf("%+v", e)
	}
}

func TestCacheInvalidation(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nasbench201_cifar10.json")
	os.WriteFile(p, []byte(`{"`+a1+`": {"val_acc_200": 1, "test_acc_200": 2}}`), 0o644)
	t1, err := LoadLAPTJSON(p)
	if err != nil {
		t.Fatal(err)
	}
	t2, _ := LoadLAPTJSON(p)
	if t1 != t2 {
		t.Error("second load not cached")
	}
	os.WriteFile(p, []byte(`{"`+a2+`": {"val_acc_200": 3, "test_acc_200": 4}}`), 0o644)
	later := time.Now().Add(time.Minute)
	os.Chtimes(p, later, later)
	t3, err := LoadLAPTJSON(p)
	if err != nil || t3 == t1 || t3.At(0).Arch != a2 {
		t.Errorf("changed file not reloaded: %v %v", t3, err)
	}
	ResetCache()
	if t4, _ := LoadLAPTJSON(p); t4 == t3 {
		t.Error("ResetCache did not drop the table")
	}
}

func BenchmarkParseLAPTJSON(b *testing.B) {
	dir := sharedDir(b)
	data, err := os.ReadFile(filepath.Join(dir, "nasbench201", "nasbench201_cifar10.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseLAPTJSON(data, "x", CIFAR10); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseMergedCSV(b *testing.B) {
	dir := sharedDir(b)
	data, err := os.ReadFile(filepath.Join(dir, "nasbench201", MergedCSVFile))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseMergedCSV(data, "x"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadCold is a full Load (JSON + CSV + index join) with an empty cache.
func BenchmarkLoadCold(b *testing.B) {
	dir := sharedDir(b)
	for b.Loop() {
		ResetCache()
		if _, err := Load(dir, CIFAR10, 200); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadCached is a repeated Load (stat calls only).
func BenchmarkLoadCached(b *testing.B) {
	dir := sharedDir(b)
	if _, err := Load(dir, CIFAR10, 200); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Load(dir, CIFAR10, 200); err != nil {
			b.Fatal(err)
		}
	}
}
