package nb201

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 13 row 8: Load refuses a known file with one flipped bit, and one
// that is truncated, before parsing it.
func TestLoadRefusesDamagedFile(t *testing.T) {
	dir := sharedDir(t)
	b, err := os.ReadFile(filepath.Join(dir, "nasbench201", "nasbench201_cifar10.json"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	os.Mkdir(filepath.Join(tmp, "nasbench201"), 0o755)
	p := filepath.Join(tmp, "nasbench201", "nasbench201_cifar10.json")
	flipped := append([]byte(nil), b...)
	flipped[len(b)/3] ^= 1
	os.WriteFile(p, flipped, 0o644)
	if _, err := Load(tmp, "cifar10", 200); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("one flipped bit: %v", err)
	}
	os.WriteFile(p, b[:1024], 0o644)
	if _, err := Load(tmp, "cifar10", 200); err == nil || !strings.Contains(err.Error(), "is 1024 bytes") {
		t.Fatalf("truncated: %v", err)
	}
	os.Remove(p)
	os.Symlink("/dev/zero", p)
	if _, err := Load(tmp, "cifar10", 200); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("/dev/zero: %v", err)
	}
}

// A merged CSV that is a folder or FIFO is an error, not a missing file.
func TestLoadRefusesNonRegularCSV(t *testing.T) {
	dir := sharedDir(t)
	tmp := t.TempDir()
	os.Mkdir(filepath.Join(tmp, "nasbench201"), 0o755)
	os.Symlink(filepath.Join(dir, "nasbench201", "nasbench201_cifar10.json"), filepath.Join(tmp, "nasbench201", "nasbench201_cifar10.json"))
	os.Mkdir(filepath.Join(tmp, "nasbench201", MergedCSVFile), 0o755)
	if _, err := Load(tmp, "cifar10", 200); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("CSV folder: %v", err)
	}
}
