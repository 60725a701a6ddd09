package journal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nasnb/nasnb/internal/safefile"
)

// Two writers on one journal (issue 13 row 1): the second is refused at
// once, the first keeps writing, and the file stays whole.
func TestSecondWriterRefused(t *testing.T) {
	p := filepath.Join(t.TempDir(), "j.jsonl")
	a, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := Open(p); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: got %v, want ErrLocked", err)
	}
	if r, err := OpenReadOnly(p); err != nil {
		t.Fatalf("OpenReadOnly while a writer holds it: %v", err)
	} else {
		r.Close()
	}
	for i := 0; i < 3; i++ {
		if err := a.Append("trial", payload{N: i}); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	b, err := Open(p)
	if err != nil {
		t.Fatalf("reopen after Close: %v", err)
	}
	defer b.Close()
	if n := len(b.Kind("trial")); n != 3 {
		t.Fatalf("%d records after reopen, want 3", n)
	}
}

// Writes are append-only: whatever the file offset, a record lands at the end.
func TestAppendOnly(t *testing.T) {
	p := filepath.Join(t.TempDir(), "j.jsonl")
	j, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	j.Append("trial", payload{N: 1})
	if _, err := j.f.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	j.Append("trial", payload{N: 2})
	data, _ := os.ReadFile(p)
	if got := strings.Count(string(data), "\n"); got != 2 || !strings.HasPrefix(string(data), `{"kind":"trial","data":{"n":1`) {
		t.Fatalf("file after a seek to 0 and an append:\n%s", data)
	}
	flags, err := fcntlFlags(j.f)
	if err != nil {
		t.Fatal(err)
	}
	if flags&syscall.O_APPEND == 0 {
		t.Fatal("journal file is not opened O_APPEND")
	}
}

// Read-only opening (row 7) never modifies the file: a torn tail stays.
func TestOpenReadOnlyKeepsTornTail(t *testing.T) {
	p := filepath.Join(t.TempDir(), "j.jsonl")
	content := `{"kind":"trial","data":{"n":1}}` + "\n" + `{"kind":"tri`
	os.WriteFile(p, []byte(content), 0o644)
	before, _ := os.Stat(p)
	time.Sleep(10 * time.Millisecond)
	j, err := OpenReadOnly(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(j.Records()) != 1 || j.Torn() == 0 || !j.ReadOnly() {
		t.Fatalf("records %d torn %d ro %v", len(j.Records()), j.Torn(), j.ReadOnly())
	}
	if err := j.Append("x", 1); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Append on a read-only journal: %v", err)
	}
	j.Close()
	data, _ := os.ReadFile(p)
	after, _ := os.Stat(p)
	if string(data) != content || !after.ModTime().Equal(before.ModTime()) {
		t.Fatal("OpenReadOnly modified the file")
	}
}

// A read-only file (permissions standing in for read-only media) is opened
// read-only by Open, so a finished run can still be read.
func TestOpenFallsBackToReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores file permissions")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "j.jsonl")
	os.WriteFile(p, []byte(`{"kind":"trial","data":{"n":1}}`+"\n"), 0o444)
	j, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if !j.ReadOnly() || len(j.Records()) != 1 {
		t.Fatalf("ro %v records %d", j.ReadOnly(), len(j.Records()))
	}
}

// Devices, FIFOs and directories are refused at once (row 3), never read.
func TestNonRegularRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	link := filepath.Join(dir, "zero.jsonl")
	os.Symlink("/dev/zero", link)
	for _, p := range []string{"/dev/zero", "/dev/null", fifo, link, dir} {
		done := make(chan error, 2)
		go func() {
			_, err := Open(p)
			done <- err
			_, err = OpenReadOnly(p)
			done <- err
		}()
		for i := 0; i < 2; i++ {
			select {
			case err := <-done:
				if !errors.Is(err, safefile.ErrNotRegular) {
					t.Errorf("%s: got %v, want a not-a-regular-file error", p, err)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: open hangs", p)
			}
		}
	}
}
