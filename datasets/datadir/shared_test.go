package datadir_test

// Tests against the shared benchmark data folder. They live in the external
// test package so that they can use internal/datatest (which imports
// datadir): skipped without the data, failing with $NASNB_REQUIRE_DATA=1.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/datasets/datadir"
	"github.com/nasnb/nasnb/internal/datatest"
)

// TestManifestMatchesSHA256SUMS checks the Go copy of the checksums against
// the shared SHA256SUMS file and verifies the shared folder.
func TestManifestMatchesSHA256SUMS(t *testing.T) {
	dir := datatest.Dir(t)
	b, err := os.ReadFile(datatest.File(t, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		fields := strings.Fields(line)
		if len(fields) != 2 {
			continue
		}
		f, ok := datadir.Lookup(strings.TrimPrefix(fields[1], "*"))
		if !ok {
			t.Errorf("SHA256SUMS lists %s, not in Manifest", fields[1])
			continue
		}
		n++
		if f.SHA256 != fields[0] {
			t.Errorf("%s: manifest %s, SHA256SUMS %s", f.Name, f.SHA256, fields[0])
		}
	}
	if n != len(datadir.Manifest) {
		t.Errorf("SHA256SUMS has %d manifest files, Manifest has %d", n, len(datadir.Manifest))
	}
	r, err := datadir.Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Errorf("shared data does not verify:\n%s", r)
	}
}

// A real file with one flipped bit is refused (needs the shared data).
func TestOneBitFlipRefused(t *testing.T) {
	b, err := os.ReadFile(datatest.File(t, "nasbench201/nasbench201_cifar10.json"))
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	p := filepath.Join(t.TempDir(), "nasbench201_cifar10.json")
	os.WriteFile(p, b, 0o644)
	if err := datadir.CheckSum(p); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("flipped bit: %v", err)
	}
}
