package images

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/nasnb/nasnb/internal/safefile"
)

// Issue 13 row 3: an image file symlinked to /dev/zero is refused at once.
func TestImageInputsMustBeRegular(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "train-images-idx3-ubyte.gz")
	os.Symlink("/dev/zero", link)
	if _, err := readMaybeGzip(link); !errors.Is(err, safefile.ErrNotRegular) {
		t.Fatalf("IDX from /dev/zero: %v", err)
	}
	if _, _, err := LoadCIFAR(link, CIFAR10); err == nil {
		t.Fatal("CIFAR tarball from /dev/zero accepted")
	}
}
