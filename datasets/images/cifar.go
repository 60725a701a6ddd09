package images

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	"github.com/nasnb/nasnb/internal/safefile"
)

const cifarPixels = 3 * 32 * 32

// CIFARVariant selects the CIFAR flavour.
type CIFARVariant int

const (
	// CIFAR10 has 1 label byte per record, 10 classes.
	CIFAR10 CIFARVariant = iota
	// CIFAR100 has 2 label bytes (coarse, fine); Classes selects fine (100) labels.
	CIFAR100
	// CIFAR100Coarse uses the 20 coarse labels of CIFAR-100.
	CIFAR100Coarse
)

func (v CIFARVariant) labelBytes() int {
	if v == CIFAR10 {
		return 1
	}
	return 2
}

func (v CIFARVariant) classes() int {
	switch v {
	case CIFAR10:
		return 10
	case CIFAR100Coarse:
		return 20
	}
	return 100
}

func (v CIFARVariant) name() string {
	switch v {
	case CIFAR10:
		return "cifar10"
	case CIFAR100Coarse:
		return "cifar100-coarse"
	}
	return "cifar100"
}

// ParseCIFAR parses records of the official CIFAR binary format (label
// byte(s), then 3072 pixel bytes in CHW order) into NHWC float32 in [0,1],
// appending to d.
func ParseCIFAR(data []byte, v CIFARVariant, d *Dataset) error {
	rec := v.labelBytes() + cifarPixels
	if len(data)%rec != 0 {
		return fmt.Errorf("images: %d bytes is not a whole number of %d-byte %s records", len(data), rec, v.name())
	}
	n := len(data) / rec
	classes := v.classes()
	for i := 0; i < n; i++ {
		r := data[i*rec : (i+1)*rec]
		label := int(r[0])
		if v == CIFAR100 {
			label = int(r[1])
		}
		if label >= classes {
			return fmt.Errorf("images: %s record %d has label %d (>= %d classes)", v.name(), i, label, classes)
		}
		pix := r[v.labelBytes():]
		base := len(d.Images)
		d.Images = append(d.Images, make([]float32, cifarPixels)...)
		img := d.Images[base:]
		for c := 0; c < 3; c++ {
			for p := 0; p < 1024; p++ {
				img[p*3+c] = float32(pix[c*1024+p]) / 255
			}
		}
		d.Labels = append(d.Labels, int32(label))
	}
	return nil
}

func cifarFiles(v CIFARVariant) (train []string, test string) {
	if v == CIFAR10 {
		return []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}, "test_batch.bin"
	}
	return []string{"train.bin"}, "test.bin"
}

func cifarHint(v CIFARVariant) string {
	spec := cifar10Spec
	if v != CIFAR10 {
		spec = cifar100Spec
	}
	return fmt.Sprintf("download %s (nasnb can do it: images.Download(ctx, %q, dir), which checks its checksum) "+
		"and pass the tarball or the folder it extracts to", spec.URL, spec.Name)
}

// LoadCIFAR loads CIFAR-10 or CIFAR-100 from src: the official tarball
// (cifar-10-binary.tar.gz / cifar-100-binary.tar.gz), the folder it extracts
// to, or a folder containing that folder or the tarball.
func LoadCIFAR(src string, v CIFARVariant) (train, test *Dataset, err error) {
	trainFiles, testFile := cifarFiles(v)
	newDS := func(split string) *Dataset {
		return &Dataset{Name: v.name() + "/" + split, Height: 32, Width: 32, Channels: 3, Classes: v.classes()}
	}
	train, test = newDS("train"), newDS("test")
	st, err := os.Stat(src)
	if err != nil {
		return nil, nil, fmt.Errorf("images: %s source %q: %w; %s", v.name(), src, err, cifarHint(v))
	}
	if st.IsDir() {
		spec := cifar10Spec
		if v != CIFAR10 {
			spec = cifar100Spec
		}
		for _, cand := range []string{src, filepath.Join(src, spec.Folder)} {
			if _, err := os.Stat(filepath.Join(cand, testFile)); err == nil {
				return loadCIFARDir(cand, v, trainFiles, testFile, train, test)
			}
		}
		if _, err := os.Stat(filepath.Join(src, spec.Name)); err == nil {
			return loadCIFARTar(filepath.Join(src, spec.Name), v, trainFiles, testFile, train, test)
		}
		return nil, nil, fmt.Errorf("images: %s: no %s under %s; %s", v.name(), testFile, src, cifarHint(v))
	}
	return loadCIFARTar(src, v, trainFiles, testFile, train, test)
}

func loadCIFARDir(dir string, v CIFARVariant, trainFiles []string, testFile string, train, test *Dataset) (*Dataset, *Dataset, error) {
	for _, f := range append(append([]string{}, trainFiles...), testFile) {
		p := filepath.Join(dir, f)
		data, err := safefile.ReadFile(p, maxImageFileBytes)
		if err != nil {
			return nil, nil, fmt.Errorf("images: %s: cannot read %s: %w; %s", v.name(), p, err, cifarHint(v))
		}
		dst := train
		if f == testFile {
			dst = test
		}
		if err := ParseCIFAR(data, v, dst); err != nil {
			return nil, nil, fmt.Errorf("%w (file %s; %s)", err, p, cifarHint(v))
		}
	}
	return train, test, nil
}

func loadCIFARTar(tarPath string, v CIFARVariant, trainFiles []string, testFile string, train, test *Dataset) (*Dataset, *Dataset, error) {
	f, err := safefile.Open(tarPath)
	if err != nil {
		return nil, nil, fmt.Errorf("images: %s: %w; %s", v.name(), err, cifarHint(v))
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, nil, fmt.Errorf("images: %s: %s is not a gzip tarball: %w; %s", v.name(), tarPath, err, cifarHint(v))
	}
	tr := tar.NewReader(zr)
	contents := map[string][]byte{}
	want := map[string]bool{testFile: true}
	for _, t := range trainFiles {
		want[t] = true
	}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("images: %s: reading %s: %w (corrupt download? %s)", v.name(), tarPath, err, cifarHint(v))
		}
		base := path.Base(h.Name)
		if !want[base] || h.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, nil, fmt.Errorf("images: %s: reading %s from %s: %w", v.name(), h.Name, tarPath, err)
		}
		contents[base] = data
	}
	for _, name := range append(append([]string{}, trainFiles...), testFile) {
		data, ok := contents[name]
		if !ok {
			return nil, nil, fmt.Errorf("images: %s: %s has no %s; %s", v.name(), tarPath, name, cifarHint(v))
		}
		dst := train
		if name == testFile {
			dst = test
		}
		if err := ParseCIFAR(data, v, dst); err != nil {
			return nil, nil, fmt.Errorf("%w (member %s of %s)", err, name, tarPath)
		}
	}
	return train, test, nil
}
