package journal_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/nasnb/nasnb/lapt/journal"
)

func ExampleJournal() {
	dir, _ := os.MkdirTemp("", "journal")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.jsonl")
	j, _ := journal.Open(path)
	j.Append("trial", map[string]int{"n": 1})
	j.Close()

	j, _ = journal.Open(path) // resume
	fmt.Println(len(j.Kind("trial")), "trial(s) recorded")
	j.Close()
	// Output: 1 trial(s) recorded
}
