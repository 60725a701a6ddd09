package replay

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/nasnb/nasnb/lapt/journal"
)

// Issue 13 row 7: --reasoner replay never modifies its input, even with a
// torn tail, and two replayers can share one record.
func TestReplayerNeverModifiesInput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl")
	r, _ := NewRecorder(&counting{}, path)
	r.Learn(context.Background(), req())
	r.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"kind":"call","data":{"key":"abc"`)
	f.Close()
	before, _ := os.ReadFile(path)
	a, err := NewReplayer(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewReplayer(path)
	if err != nil {
		t.Fatalf("second replayer on the same record: %v", err)
	}
	if _, err := a.Learn(context.Background(), req()); err != nil {
		t.Fatal(err)
	}
	a.Close()
	b.Close()
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Fatalf("the replayer modified its input:\nbefore %q\nafter  %q", before, after)
	}
}

// Issue 13 row 1: two recorders on one file: the second is refused.
func TestSecondRecorderRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl")
	a, err := NewRecorder(&counting{}, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := NewRecorder(&counting{}, path); !errors.Is(err, journal.ErrLocked) {
		t.Fatalf("second recorder: %v, want ErrLocked", err)
	}
}

// Issue 13 row 3: a record that is a device or FIFO is refused at once.
func TestReplayFromDeviceRefused(t *testing.T) {
	if _, err := NewReplayer("/dev/zero"); err == nil {
		t.Fatal("replay from /dev/zero accepted")
	}
	if _, err := NewRecorder(&counting{}, "/dev/full"); err == nil {
		t.Fatal("record to /dev/full accepted")
	}
}
