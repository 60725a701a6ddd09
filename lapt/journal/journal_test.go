package journal

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type payload struct {
	N int    `json:"n"`
	S string `json:"s"`
}

func TestAppendReopen(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "j.jsonl")
	j, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if err := j.Append("trial", payload{N: i, S: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	j2, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	recs := j2.Kind("trial")
	if len(recs) != 5 {
		t.Fatalf("got %d records", len(recs))
	}
	var last payload
	json.Unmarshal(recs[4], &last)
	if last.N != 4 {
		t.Fatalf("last = %+v", last)
	}
}

func TestTornLastLineDropped(t *testing.T) {
	p := filepath.Join(t.TempDir(), "j.jsonl")
	j, _ := Open(p)
	j.Append("trial", payload{N: 1})
	j.Append("trial", payload{N: 2})
	j.Close()
	data, _ := os.ReadFile(p)
	full := len(data)
	// Tear the last record in the middle.
	os.WriteFile(p, append(data, []byte(`{"kind":"trial","data":{"n":3,"s":"ab`)...), 0o644)
	j2, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(j2.Kind("trial")) != 2 || j2.Torn() == 0 {
		t.Fatalf("records %d torn %d", len(j2.Kind("trial")), j2.Torn())
	}
	j2.Append("trial", payload{N: 3})
	j2.Close()
	data, _ = os.ReadFile(p)
	if !strings.HasSuffix(string(data), "\n") || len(data) <= full {
		t.Fatalf("file after append: %q", data)
	}
	j3, _ := Open(p)
	if n := len(j3.Kind("trial")); n != 3 {
		t.Fatalf("after repair: %d records", n)
	}
	j3.Close()
}

func TestTornLineWithNewlineOfGarbage(t *testing.T) {
	p := filepath.Join(t.TempDir(), "j.jsonl")
	j, _ := Open(p)
	j.Append("trial", payload{N: 1})
	j.Close()
	f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte("\x00\x00\x00\n"))
	f.Close()
	j2, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(j2.Records()) != 1 {
		t.Fatalf("records = %d", len(j2.Records()))
	}
	j2.Close()
}

func TestDamagedMiddleLineIsAnError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "j.jsonl")
	os.WriteFile(p, []byte("{\"kind\":\"a\",\"data\":1}\nGARBAGE\n{\"kind\":\"a\",\"data\":2}\n"), 0o644)
	if _, err := Open(p); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v", err)
	}
}

func FuzzOpen(f *testing.F) {
	f.Add([]byte("{\"kind\":\"a\",\"data\":1}\n{\"kind\":\"a\""))
	f.Add([]byte("\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "j.jsonl")
		os.WriteFile(p, data, 0o644)
		j, err := Open(p)
		if err != nil {
			return
		}
		n := len(j.Records())
		if err := j.Append("x", 1); err != nil {
			t.Fatal(err)
		}
		j.Close()
		j2, err := Open(p)
		if err != nil {
			t.Fatalf("reopen after append: %v", err)
		}
		if len(j2.Records()) != n+1 {
			t.Fatalf("records %d, want %d", len(j2.Records()), n+1)
		}
		j2.Close()
	})
}
