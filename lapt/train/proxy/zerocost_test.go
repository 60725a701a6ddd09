package proxy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/nasnb/nasnb/internal/safefile"
)

// TestLoadZeroCostRefusesBadInputs: LoadZeroCost reads like the data
// loaders: a FIFO (which os.ReadFile would wait on forever), a symlink to
// /dev/zero (read forever), a folder, a truncated file under the known name
// and a missing file are refused at once with an error naming the problem.
func TestLoadZeroCostRefusesBadInputs(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	zero := filepath.Join(dir, "zero.json")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder.json")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "zc_nasbench201.json")
	if err := os.WriteFile(truncated, []byte(`{"cifar10": {}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		fifo:                               "FIFO",
		zero:                               "character device",
		folder:                             "directory",
		truncated:                          "the known zero-cost/zc_nasbench201.json is 1962205 bytes",
		filepath.Join(dir, "missing.json"): "see its README",
	} {
		_, err := LoadZeroCost(path, "cifar10")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one mentioning %q", filepath.Base(path), err, want)
		}
		if path == fifo && !errors.Is(err, safefile.ErrNotRegular) {
			t.Errorf("FIFO: %v does not wrap safefile.ErrNotRegular", err)
		}
	}
	// A regular file under another name is read as before.
	ok := filepath.Join(dir, "small.json")
	if err := os.WriteFile(ok, []byte(`{"cifar10": {"(0, 2, 3, 2, 3, 1)": {"val_accuracy": 91.5, "synflow": {"score": NaN, "time": 1}, "snip": {"score": 2.5, "time": 0.5}}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	es, err := LoadZeroCost(ok, "cifar10")
	if err != nil || len(es) != 1 || es[0].ValAcc != 91.5 || es[0].Scores["snip"] != 2.5 || len(es[0].Scores) != 1 {
		t.Fatalf("small file: %+v %v", es, err)
	}
}

// TestLoadZeroCostSharedFile: the shared data file passes the checks.
func TestLoadZeroCostSharedFile(t *testing.T) {
	es, err := LoadZeroCost(zcPath(t), "cifar10")
	if err != nil || len(es) < 700 {
		t.Fatalf("%d entries, %v", len(es), err)
	}
}
