package replay

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/reason/llm"
	"github.com/nasnb/nasnb/lapt/reason/llm/llmtest"
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

// Issue 13 row 5: a password in the base URL never reaches the record.
func TestRecordMasksBaseURLCredentials(t *testing.T) {
	srv := llmtest.New(llmtest.WithoutAuth())
	defer srv.Close()
	srv.Push(llmtest.NotFound())
	u := strings.Replace(srv.URL(), "http://", "http://alice:hunter2pw@", 1)
	l, err := llm.New(llm.Config{BaseURL: u, Model: "m", APIKeyEnv: "NASNB_TEST_NO_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.jsonl")
	r, err := NewRecorder(l, path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Learn(context.Background(), req())
	r.Close()
	if err == nil || strings.Contains(err.Error(), "hunter2pw") {
		t.Fatalf("err = %v", err)
	}
	b, _ := os.ReadFile(path)
	if len(b) == 0 || strings.Contains(string(b), "hunter2pw") {
		t.Fatalf("record: %s", b)
	}
	if got := Scrub(`"base":"http://bob:s3cretpass@host/v1"`); strings.Contains(got, "s3cretpass") {
		t.Fatalf("Scrub kept the password: %s", got)
	}
}
