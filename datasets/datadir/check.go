package datadir

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"

	"github.com/nasnb/nasnb/internal/safefile"
)

// MaxFileBytes is the largest data file the loaders read (1 GiB): a guard
// against reading a wrong path (a disk image, a huge log) into memory.
const MaxFileBytes int64 = 1 << 30

// lookupBase finds a Manifest file by the base name of path.
func lookupBase(path string) (File, bool) {
	base := filepath.Base(path)
	for _, f := range Manifest {
		if filepath.Base(f.Name) == base {
			return f, true
		}
	}
	return File{}, false
}

// CheckSize checks a data file before it is read: it must be a regular
// file (a device, FIFO or directory, also behind a symlink, is refused at
// once), at most MaxFileBytes, and, when its base name is a Manifest file,
// exactly the Manifest's size (a truncated or wrong file is refused before
// it is parsed). Use it in loaders that take a folder.
func CheckSize(path string) error {
	fi, err := safefile.CheckRegular(path, MaxFileBytes)
	if err != nil {
		return fmt.Errorf("datadir: %w", err)
	}
	if f, ok := lookupBase(path); ok && f.Size > 0 && fi.Size() != f.Size {
		return fmt.Errorf("datadir: %s is %d bytes, the known %s is %d bytes (truncated, damaged or another version?); `nasnb data verify` checks the folder, `nasnb data fetch` replaces bad files",
			path, fi.Size(), f.Name, f.Size)
	}
	return nil
}

// CheckSum is CheckSize followed, for a Manifest file, by its SHA-256: a
// file damaged in place (even one flipped bit) is refused.
func CheckSum(path string) error {
	if err := CheckSize(path); err != nil {
		return err
	}
	f, ok := lookupBase(path)
	if !ok {
		return nil
	}
	fh, err := safefile.Open(path)
	if err != nil {
		return fmt.Errorf("datadir: %w", err)
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(fh, MaxFileBytes+1)); err != nil {
		return fmt.Errorf("datadir: %s: %w", path, err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != f.SHA256 {
		return fmt.Errorf("datadir: %s: checksum mismatch: sha256 %s, the known %s has %s (damaged or another version?); `nasnb data fetch` replaces it",
			path, sum, f.Name, f.SHA256)
	}
	return nil
}
