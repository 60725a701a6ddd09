package journal_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nasnb/nasnb/lapt/journal"
)

// One writer at a time; readers open the file read-only and never change it.
func ExampleOpenReadOnly() {
	dir, _ := os.MkdirTemp("", "journal-example")
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "run.jsonl")

	w, _ := journal.Open(p)
	w.Append("trial", map[string]int{"n": 1})
	_, err := journal.Open(p) // a second writer
	fmt.Println("second writer refused:", errors.Is(err, journal.ErrLocked))

	r, _ := journal.OpenReadOnly(p) // a reader, even while the writer holds it
	fmt.Println("records:", len(r.Records()), "read-only:", r.ReadOnly())
	fmt.Println("append refused:", errors.Is(r.Append("trial", 2), journal.ErrReadOnly))
	r.Close()
	w.Close()
	// Output:
	// second writer refused: true
	// records: 1 read-only: true
	// append refused: true
}
