package main

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Issue 13 row 8: data info on a NATS file truncated to 1 KB fails.
func TestDataInfoTruncatedNATS(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "nats-tss-sample"), 0o755)
	b := make([]byte, 1024)
	rand.Read(b)
	os.WriteFile(filepath.Join(dir, "nats-tss-sample", "000011.pickle.pbz2"), b, 0o644)
	out, err := runDataT(t, "info", "--dir", dir)
	if err == nil || !strings.Contains(err.Error(), "000011.pickle.pbz2 is 1024 bytes") {
		t.Fatalf("info on a truncated NATS file: %v\n%s", err, out)
	}
}

// Issue 13 row 3: data verify and data info on a data file symlinked to
// /dev/zero or replaced by a FIFO finish at once with the file reported.
func TestDataVerifyDevicesAndFIFOs(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "nasbench201"), 0o755)
	os.MkdirAll(filepath.Join(dir, "zero-cost"), 0o755)
	os.Symlink("/dev/zero", filepath.Join(dir, "nasbench201", "nasbench201_cifar10.json"))
	if err := syscall.Mkfifo(filepath.Join(dir, "zero-cost", "zc_nasbench201.json"), 0o644); err != nil {
		t.Skip(err)
	}
	for _, sub := range []string{"verify", "info"} {
		done := make(chan struct{})
		var out string
		var err error
		go func() { out, err = runDataT(t, sub, "--dir", dir); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("data %s hangs on /dev/zero or a FIFO", sub)
		}
		if err == nil || !strings.Contains(out+err.Error(), "not a regular file") {
			t.Errorf("data %s: %v\n%s", sub, err, out)
		}
	}
}
