package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWriteFileRegularAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "out.json")
	if err := WriteFile(p, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	ents, _ := os.ReadDir(filepath.Dir(p))
	if string(b) != "two" || len(ents) != 1 {
		t.Fatalf("content %q, %d entries (temporary files left?)", b, len(ents))
	}
}

// Issue 13 row 9: /dev/null stays a device after an output is written to it.
func TestWriteFileDeviceWrittenInPlace(t *testing.T) {
	if err := WriteFile("/dev/null", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat("/dev/null")
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is no longer a character device: %v %v", fi.Mode(), err)
	}
	err = WriteFile("/dev/full", []byte("x"), 0o644)
	if err == nil || !strings.Contains(err.Error(), "/dev/full") {
		t.Fatalf("/dev/full: %v", err)
	}
}

func TestWriteFileFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skip(err)
	}
	// No reader: refused at once, not blocked.
	done := make(chan error, 1)
	go func() { done <- WriteFile(p, []byte("x"), 0o644) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "no reader") {
			t.Fatalf("FIFO without reader: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WriteFile blocks on a FIFO with no reader")
	}
	// With a reader: written directly, still a FIFO.
	got := make(chan string, 1)
	r, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	go func() { b := make([]byte, 16); n, _ := r.Read(b); got <- string(b[:n]) }()
	if s := <-got; s != "hello" {
		t.Fatalf("read %q", s)
	}
	r.Close()
	if fi, _ := os.Stat(p); fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatal("FIFO replaced")
	}
}

func TestWriteFileRefusesDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFile(dir, []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), "a directory") {
		t.Fatalf("directory: %v", err)
	}
}

func TestWriteFileFailureLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	// A path whose parent is a file: MkdirAll fails before any temp file.
	os.WriteFile(filepath.Join(dir, "f"), nil, 0o644)
	if err := WriteFile(filepath.Join(dir, "f", "out.json"), []byte("x"), 0o644); err == nil {
		t.Fatal("no error")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("left %d entries", len(ents))
	}
}

func TestReadFileRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	syscall.Mkfifo(fifo, 0o644)
	link := filepath.Join(dir, "link")
	os.Symlink("/dev/zero", link)
	for _, p := range []string{"/dev/zero", fifo, link, dir} {
		done := make(chan error, 1)
		go func() { _, err := ReadFile(p, 0); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotRegular) {
				t.Errorf("%s: %v", p, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: ReadFile hangs", p)
		}
	}
	p := filepath.Join(dir, "big")
	os.WriteFile(p, make([]byte, 100), 0o644)
	if _, err := ReadFile(p, 99); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("size cap: %v", err)
	}
	if b, err := ReadFile(p, 100); err != nil || len(b) != 100 {
		t.Fatalf("at the cap: %d %v", len(b), err)
	}
}
