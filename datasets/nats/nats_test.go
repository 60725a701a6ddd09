package nats

import (
	"bytes"
	"compress/bzip2"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/datasets/nb201"
	"github.com/nasnb/nasnb/internal/datatest"
)

func sampleDir(tb testing.TB) string {
	tb.Helper()
	return datatest.Dir(tb)
}

func TestArchiveMatchesMergedCSV(t *testing.T) {
	dir := sampleDir(t)
	a, err := OpenArchive(filepath.Join(dir, "nats-tss-sample"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Len() != nb201.NumArchs || len(a.Meta()) != nb201.NumArchs {
		t.Fatalf("meta has %d archs", a.Len())
	}
	m, err := nb201.LoadMergedCSV(filepath.Join(dir, "nasbench201", nb201.MergedCSVFile))
	if err != nil {
		t.Fatal(err)
	}
	meta := a.Meta()
	for i := 0; i < m.Len(); i++ {
		arch, idx := m.Arch(i)
		if meta[idx] != arch {
			t.Fatalf("meta[%d] = %q, CSV says %q", idx, meta[idx], arch)
		}
	}
	col := func(name string, idx int) float64 {
		c, ok := m.Column(name)
		if !ok {
			t.Fatalf("no column %s", name)
		}
		return c[idx]
	}
	checks := []struct {
		ds     string
		fid    int
		valCol string
		tstCol string
	}{
		{CIFAR10, 200, "", "cifar10_test_200ep"},
		{CIFAR100, 200, "", "cifar100_test_200ep"},
		{ImageNet16, 200, "", "imagenet16_test_200ep"},
		{CIFAR10, 12, "", "cifar10_test_12ep"},
		{CIFAR10Valid, 12, "cifar10valid_valid_12ep", ""},
		{CIFAR100, 12, "cifar100_valid_12ep", "cifar100_test_12ep"},
		{ImageNet16, 12, "imagenet16_valid_12ep", "imagenet16_test_12ep"},
	}
	for _, idx := range []int{0, 11, 284} {
		if !a.Has(idx) {
			t.Fatalf("sample lacks %d", idx)
		}
		info, err := a.Arch(idx)
		if err != nil {
			t.Fatal(err)
		}
		if info.Index != idx || len(info.Runs[12]) != 5 || len(info.Runs[200]) != 12 {
			t.Fatalf("arch %d: index %d, %d/%d runs", idx, info.Index, len(info.Runs[12]), len(info.Runs[200]))
		}
		for _, c := range checks {
			mt, err := info.Metrics(c.ds, c.fid)
			if err != nil {
				t.Fatal(err)
			}
			if c.valCol != "" && (!mt.HasValid || math.Abs(mt.Valid-col(c.valCol, idx)) > 1e-3) {
				t.Errorf("arch %d %s@%d valid %v, CSV %s %v", idx, c.ds, c.fid, mt.Valid, c.valCol, col(c.valCol, idx))
			}
			if c.tstCol != "" && (!mt.HasTest || math.Abs(mt.Test-col(c.tstCol, idx)) > 1e-3) {
				t.Errorf("arch %d %s@%d test %v, CSV %s %v", idx, c.ds, c.fid, mt.Test, c.tstCol, col(c.tstCol, idx))
			}
			if c.fid == 200 && len(mt.PerSeed) != 3 {
				t.Errorf("arch %d %s@200: %d seeds", idx, c.ds, len(mt.PerSeed))
			}
		}
	}
	// Spot values of arch 11 (from the Python pickle).
	info, _ := a.Arch(11)
	mt, _ := info.Metrics("cifar10-valid", 200)
	if math.Abs(mt.Params-0.802426) > 1e-9 || math.Abs(mt.FLOPs-113.95137) > 1e-9 || math.Abs(mt.Latency-0.016163252947623268) > 1e-12 {
		t.Errorf("params/flops/latency %v %v %v", mt.Params, mt.FLOPs, mt.Latency)
	}
	if mt.HasValTest || !mt.HasValid || math.Abs(mt.Valid-(87.93999999511719+87.74800000488281+88.13199999511718)/3) > 1e-9 {
		t.Errorf("cifar10-valid@200 %+v", mt)
	}
	c10, _ := info.Metrics("cifar10", 200)
	if c10.HasValid || !c10.HasTest {
		t.Errorf("cifar10 has no valid split: %+v", c10)
	}
	run := info.Runs[12][0]
	if run.Dataset != CIFAR10Valid || run.Seed != 777 || run.Epochs != 12 || math.Abs(run.TrainAcc[0]-26.00399999267578) > 1e-9 {
		t.Errorf("first 12-epoch run %+v", run)
	}
	if _, err := info.Metrics("mnist", 200); err == nil {
		t.Error("unknown dataset")
	}
	if _, err := info.Metrics("cifar10", 50); err == nil {
		t.Error("unknown fidelity")
	}
	if a.Has(1) || a.Has(-1) {
		t.Error("Has of a missing file")
	}
	if _, err := a.Arch(1); err == nil {
		t.Error("Arch of a missing file")
	}
	if _, err := a.Arch(99999); err == nil {
		t.Error("Arch out of range")
	}
	if i, ok := a.IndexOf(info.Arch); !ok || i != 11 {
		t.Error("IndexOf")
	}
}

func TestSmallFixture(t *testing.T) {
	data, err := os.ReadFile("testdata/small.pickle")
	if err != nil {
		t.Fatal(err)
	}
	info, err := DecodeArchPickle(data, "small.pickle")
	if err != nil {
		t.Fatal(err)
	}
	mt, err := info.Metrics("cifar100", 200)
	if err != nil {
		t.Fatal(err)
	}
	// base = 30 + seed/1000, last epoch 2; x-valid is set 2 (+1.0), x-test set 3 (+1.5)
	wantValid := (30 + 0.777 + 2 + 1.0 + 30 + 0.888 + 2 + 1.0) / 2
	if math.Abs(mt.Valid-wantValid) > 1e-9 || math.Abs(mt.Test-(wantValid+0.5)) > 1e-9 || mt.Params != 0.802426 {
		t.Errorf("%+v", mt)
	}
}

// TestCorrupt writes damaged archive files and checks for clear errors.
func TestCorrupt(t *testing.T) {
	good, err := os.ReadFile("testdata/small.pickle")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"truncated pickle":                    good[:len(good)/2],
		"no STOP":                             {0x80, 0x04, 'K', 1},
		"unknown opcode":                      {0x80, 0x04, 0xff, '.'},
		"runs past the end":                   {0x80, 0x04, 0x8e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '.'},
		"not a dict":                          {0x80, 0x04, 'K', 1, '.'},
		"unsupported pickle global os.system": []byte("\x80\x04\x8c\x02os\x8c\x06system\x93."),
		"top-level key":                       []byte("\x80\x04}\x8c\x03abc}s."),
		"bad pickle":                          []byte("\x80\x04(K\x01d."), // odd DICT items
	}
	for want, data := range cases {
		_, err := DecodeArchPickle(data, "x.pickle")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "x.pickle") {
			t.Errorf("%s: err = %v", want, err)
		}
	}
	// bz2 damage
	for want, data := range map[string][]byte{
		"bz2":       []byte("not bz2 at all"),
		"truncated": []byte("BZh91AY&SY"),
	} {
		_, err := DecodeArch(bytes.NewReader(data), "y.pbz2")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "y.pbz2") {
			t.Errorf("%s: err = %v", want, err)
		}
	}
	// an archive folder without meta
	if _, err := OpenArchive(t.TempDir()); err == nil || !strings.Contains(err.Error(), "meta.pickle.pbz2") {
		t.Errorf("no meta: %v", err)
	}
	// meta with the wrong structure
	if _, err := DecodeMetaPickle(good, "meta"); err == nil || !strings.Contains(err.Error(), "meta_archs") {
		t.Errorf("bad meta: %v", err)
	}
}

func TestTruncatedArchFile(t *testing.T) {
	dir := sampleDir(t)
	b, err := os.ReadFile(filepath.Join(dir, "nats-tss-sample", "000011.pickle.pbz2"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = DecodeArch(bytes.NewReader(b[:len(b)/2]), "000011.pickle.pbz2")
	if err == nil || !strings.Contains(err.Error(), "000011.pickle.pbz2") {
		t.Errorf("truncated: %v", err)
	}
	// wrong structure inside a valid bz2 stream: decode meta as an arch.
	mb, _ := os.ReadFile(filepath.Join(dir, "nats-tss-sample", "meta.pickle.pbz2"))
	raw, err := readAllBZ2(mb)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeArchPickle(raw, "meta.pickle"); err == nil || !strings.Contains(err.Error(), "unexpected arch structure") {
		t.Errorf("meta as arch: %v", err)
	}
}

func readAllBZ2(b []byte) ([]byte, error) {
	var out bytes.Buffer
	_, err := out.ReadFrom(bzip2.NewReader(bytes.NewReader(b)))
	return out.Bytes(), err
}

func TestScalarDecoding(t *testing.T) {
	d := &dtype{code: "f4", order: '>'}
	v, err := scalarFunc{}.Call(d, []byte{0x3f, 0x80, 0, 0})
	if err != nil || v.(float64) != 1 {
		t.Errorf("big-endian f4 = %v, %v", v, err)
	}
	v, _ = scalarFunc{}.Call(&dtype{code: "i8", order: '<'}, []byte{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	if v.(float64) != -2 {
		t.Errorf("i8 = %v", v)
	}
	v, _ = scalarFunc{}.Call(&dtype{code: "f2", order: '<'}, []byte{0x00, 0x3c})
	if v.(float64) != 1 {
		t.Errorf("f2 = %v", v)
	}
	for _, args := range [][]any{{}, {1, 2}, {&dtype{code: "c16"}, []byte{}}, {&dtype{code: "f8"}, []byte{1}}, {&dtype{code: "f8"}, 3}} {
		if _, err := (scalarFunc{}).Call(args...); err == nil {
			t.Errorf("scalar(%v) accepted", args)
		}
	}
}

func BenchmarkDecodeArch(b *testing.B) {
	dir := sampleDir(b)
	data, err := os.ReadFile(filepath.Join(dir, "nats-tss-sample", "000011.pickle.pbz2"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := DecodeArch(bytes.NewReader(data), "x"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSmallMeta(t *testing.T) {
	b, err := os.ReadFile("testdata/small_meta.pickle")
	if err != nil {
		t.Fatal(err)
	}
	meta, err := DecodeMetaPickle(b, "small_meta.pickle")
	if err != nil || len(meta) != 2 {
		t.Fatalf("%v %v", meta, err)
	}
	c, _ := os.ReadFile("testdata/small.pickle.pbz2")
	if _, err := DecodeArch(bytes.NewReader(c), "small.pickle.pbz2"); err != nil {
		t.Fatal(err)
	}
}
