package images

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/internal/datatest"
)

func cifarRecord(v CIFARVariant, label byte, seed byte) []byte {
	var r []byte
	if v == CIFAR10 {
		r = append(r, label)
	} else {
		r = append(r, label%20, label)
	}
	for i := 0; i < cifarPixels; i++ {
		r = append(r, byte(i)+seed)
	}
	return r
}

func writeCIFARDir(t *testing.T, dir string, v CIFARVariant, perFile int) {
	t.Helper()
	trainFiles, testFile := cifarFiles(v)
	for fi, f := range append(trainFiles, testFile) {
		var data []byte
		for i := 0; i < perFile; i++ {
			data = append(data, cifarRecord(v, byte((fi+i)%10), byte(i))...)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadCIFARDirAndTar(t *testing.T) {
	for _, v := range []CIFARVariant{CIFAR10, CIFAR100} {
		root := t.TempDir()
		spec := cifar10Spec
		if v != CIFAR10 {
			spec = cifar100Spec
		}
		dir := filepath.Join(root, spec.Folder)
		os.MkdirAll(dir, 0o755)
		writeCIFARDir(t, dir, v, 3)
		train, test, err := LoadCIFAR(root, v)
		if err != nil {
			t.Fatal(err)
		}
		trainFiles, _ := cifarFiles(v)
		if train.Len() != 3*len(trainFiles) || test.Len() != 3 {
			t.Fatalf("%v: got %d/%d images", v, train.Len(), test.Len())
		}
		// pixel (c=1, p=5) of record 1 is byte(1024+5)+1, stored NHWC at 5*3+1.
		if got, want := train.Image(1)[5*3+1], float32(byte(1024%256+5+1))/255; got != want {
			t.Errorf("CHW->HWC: got %v want %v", got, want)
		}
		// Same data from a tarball.
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		tw := tar.NewWriter(zw)
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			tw.WriteHeader(&tar.Header{Name: spec.Folder + "/" + e.Name(), Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg})
			tw.Write(b)
		}
		tw.Close()
		zw.Close()
		tarPath := filepath.Join(t.TempDir(), spec.Name)
		os.WriteFile(tarPath, buf.Bytes(), 0o644)
		train2, test2, err := LoadCIFAR(tarPath, v)
		if err != nil {
			t.Fatal(err)
		}
		if train2.Len() != train.Len() || test2.Len() != test.Len() || train2.Images[100] != train.Images[100] {
			t.Errorf("tarball and folder differ")
		}
	}
}

func TestCIFARErrorsNameFile(t *testing.T) {
	dir := t.TempDir()
	_, _, err := LoadCIFAR(dir, CIFAR10)
	if err == nil || !strings.Contains(err.Error(), "test_batch.bin") || !strings.Contains(err.Error(), "cifar-10-binary.tar.gz") {
		t.Errorf("missing file error should name file and how to get it: %v", err)
	}
	writeCIFARDir(t, dir, CIFAR10, 2)
	os.WriteFile(filepath.Join(dir, "data_batch_3.bin"), []byte{1, 2, 3}, 0o644)
	_, _, err = LoadCIFAR(dir, CIFAR10)
	if err == nil || !strings.Contains(err.Error(), "data_batch_3.bin") {
		t.Errorf("corrupt file error should name it: %v", err)
	}
}

func idxImages(n, rows, cols int) []byte {
	b := make([]byte, 16+n*rows*cols)
	binary.BigEndian.PutUint32(b, 0x803)
	binary.BigEndian.PutUint32(b[4:], uint32(n))
	binary.BigEndian.PutUint32(b[8:], uint32(rows))
	binary.BigEndian.PutUint32(b[12:], uint32(cols))
	for i := range b[16:] {
		b[16+i] = byte(i)
	}
	return b
}

func idxLabels(n int) []byte {
	b := make([]byte, 8+n)
	binary.BigEndian.PutUint32(b, 0x801)
	binary.BigEndian.PutUint32(b[4:], uint32(n))
	for i := 0; i < n; i++ {
		b[8+i] = byte(i % 10)
	}
	return b
}

func TestLoadIDXGzip(t *testing.T) {
	dir := t.TempDir()
	gz := func(name string, data []byte) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
		os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644)
	}
	gz("train-images-idx3-ubyte.gz", idxImages(5, 28, 28))
	gz("train-labels-idx1-ubyte.gz", idxLabels(5))
	gz("t10k-images-idx3-ubyte.gz", idxImages(2, 28, 28))
	gz("t10k-labels-idx1-ubyte.gz", idxLabels(2))
	train, test, err := LoadFashionMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 5 || test.Len() != 2 || train.Height != 28 || train.Channels != 1 {
		t.Fatalf("bad shapes: %+v", train.Len())
	}
	os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
	if _, _, err := LoadFashionMNIST(dir); err == nil || !strings.Contains(err.Error(), "t10k-labels") || !strings.Contains(err.Error(), "apt-get install dataset-fashion-mnist") {
		t.Errorf("want error naming file and apt package: %v", err)
	}
}

func TestRealMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	dir, err := FindGoMNIST()
	if err != nil {
		t.Skip(err)
	}
	train, test, err := LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 60000 || test.Len() != 10000 {
		t.Errorf("MNIST sizes %d %d", train.Len(), test.Len())
	}
}

func TestRealFashionMNIST(t *testing.T) {
	if _, err := os.Stat(DefaultFashionMNISTDir); err != nil {
		datatest.Missing(t, "dataset-fashion-mnist not installed (%v): apt-get install dataset-fashion-mnist, or make test-deps", err)
	}
	train, test, err := LoadFashionMNIST("")
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 60000 || test.Len() != 10000 {
		t.Errorf("sizes %d %d", train.Len(), test.Len())
	}
}

func TestBatcherSeededAndAugment(t *testing.T) {
	d, err := Synthetic(50, 8, 8, 3, 4, 7)
	if err != nil {
		t.Fatal(err)
	}
	tr, val, err := d.Split(10, 3)
	if err != nil || tr.Len() != 40 || val.Len() != 10 {
		t.Fatalf("split: %v", err)
	}
	run := func() []float32 {
		b, _ := NewBatcher(tr, 16, 9, true, CIFARAugment, true)
		var out []float32
		n := 0
		for bt := range b.Epoch(2) {
			out = append(out, bt.Images...)
			n++
		}
		if n != b.Steps() || n != 2 {
			t.Fatalf("steps %d vs %d", n, b.Steps())
		}
		return out
	}
	a, b := run(), run()
	if fmt.Sprint(a[:50]) != fmt.Sprint(b[:50]) {
		t.Errorf("same seed, different batches")
	}
	// Flip + crop keeps pixels from the image or zeros.
	dst := make([]float32, 8*8*3)
	src := tr.Image(0)
	augmentInto(dst, src, 8, 8, 3, Augment{Flip: true}, nil2rand())
	if dst[0] != src[7*3] && dst[0] != src[0] {
		t.Errorf("flip wrong")
	}
	mean, std := tr.MeanStd()
	if err := tr.Normalize(mean, std); err != nil {
		t.Fatal(err)
	}
	m2, s2 := tr.MeanStd()
	if abs(m2[0]) > 1e-3 || abs(s2[0]-1) > 1e-3 {
		t.Errorf("normalised mean/std %v %v", m2, s2)
	}
}

func abs(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}

func FuzzParseIDX(f *testing.F) {
	f.Add(idxImages(2, 3, 3))
	f.Add(idxLabels(4))
	f.Add([]byte{0, 0, 8, 3, 255, 255, 255, 255, 0, 0, 0, 1, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		if n, r, c, pix, err := ParseIDXImages(data); err == nil && len(pix) != n*r*c {
			t.Fatalf("inconsistent parse")
		}
		if l, err := ParseIDXLabels(data); err == nil && len(l) != len(data)-8 {
			t.Fatalf("inconsistent labels")
		}
	})
}

func FuzzParseCIFAR(f *testing.F) {
	f.Add(cifarRecord(CIFAR10, 3, 1), false)
	f.Add(cifarRecord(CIFAR100, 99, 1), true)
	f.Add([]byte{1, 2, 3}, false)
	f.Fuzz(func(t *testing.T, data []byte, hundred bool) {
		v := CIFAR10
		if hundred {
			v = CIFAR100
		}
		d := &Dataset{Height: 32, Width: 32, Channels: 3, Classes: v.classes()}
		if err := ParseCIFAR(data, v, d); err == nil {
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func nil2rand() *rand.Rand { return rand.New(rand.NewPCG(1, 1)) }

func ExampleSynthetic() {
	d, _ := Synthetic(100, 32, 32, 3, 10, 1)
	tr, val, _ := d.Split(20, 0)
	fmt.Println(tr.Len(), val.Len(), tr.ImageSize())
	// Output: 80 20 3072
}
