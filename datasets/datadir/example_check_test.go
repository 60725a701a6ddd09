package datadir_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/nasnb/nasnb/datasets/datadir"
)

// Loaders check a known data file's size before parsing it.
func ExampleCheckSize() {
	dir, _ := os.MkdirTemp("", "datadir-example")
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "meta.pickle.pbz2")
	os.WriteFile(p, make([]byte, 1024), 0o644) // truncated
	err := datadir.CheckSize(p)
	fmt.Println(err != nil)
	fmt.Println(datadir.CheckSize("/dev/zero") != nil)
	// Output:
	// true
	// true
}
