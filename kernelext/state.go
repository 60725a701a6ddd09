package kernelext

// State across notebook cells. GoNB compiles and runs every cell as a new
// program, so a value computed in one cell (a 100-seed study, training
// results) is gone in the next. Keep, Recall and Remember store values, gob
// encoded, one file per key (written atomically: a temporary file renamed
// into place) in a folder of the kernel's own temporary directory
// ($GONB_TMP_DIR): it lives as long as the kernel, so a restarted kernel
// starts clean and two notebooks never see each other's values. Outside a
// notebook (no $GONB_TMP_DIR: tests, the CLI) values are kept in memory for
// the life of the process, encoded the same way. (GoNB's cache package is
// not used: importing it creates a gonb_cache_* folder under $TMPDIR in
// every process, that is in every cell run, and never removes it.)

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/nasnb/nasnb/internal/safefile"
)

// StateDirName is the folder under $GONB_TMP_DIR where Keep stores values.
const StateDirName = "nasnb-state"

var (
	stateMu  sync.Mutex
	stateMem = map[string][]byte{} // outside a notebook
)

// stateFile is where the value of key is kept: a file in the kernel's
// state folder; ok is false outside a notebook.
func stateFile(key string) (path string, ok bool) {
	dir := os.Getenv("GONB_TMP_DIR")
	if dir == "" {
		return "", false
	}
	return filepath.Join(dir, StateDirName, key+".gob"), true
}

// checkKey refuses keys that cannot be file names.
func checkKey(key string) error {
	if key == "" || key == "." || key == ".." || strings.ContainsAny(key, "/\\\n\r\t\x00*") {
		return fmt.Errorf("kernelext: state key %q: want a non-empty file name (no '/', '*' or control characters)", key)
	}
	return nil
}

// Keep stores v under key for later cells of the same kernel (see Recall),
// replacing what was kept there. v is gob encoded: exported fields only,
// no functions or channels; NaN and infinities survive.
func Keep(key string, v any) error {
	if err := checkKey(key); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return fmt.Errorf("kernelext: keep %q: encoding %T: %w", key, v, err)
	}
	path, inKernel := stateFile(key)
	if !inKernel {
		stateMu.Lock()
		stateMem[key] = buf.Bytes()
		stateMu.Unlock()
		return nil
	}
	if err := safefile.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("kernelext: keep %q: %w", key, err)
	}
	return nil
}

// recallBytes returns the bytes kept under key, ok false when none.
func recallBytes(key string) (b []byte, ok bool, err error) {
	if err := checkKey(key); err != nil {
		return nil, false, err
	}
	path, inKernel := stateFile(key)
	if !inKernel {
		stateMu.Lock()
		defer stateMu.Unlock()
		b, ok = stateMem[key]
		return b, ok, nil
	}
	b, err = os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("kernelext: recall %q: %w", key, err)
	}
	return b, true, nil
}

// Recall returns the value an earlier cell kept under key. ok is false when
// nothing was kept there (e.g. the cell that keeps it has not run in this
// kernel); err says when the kept value does not decode as a T.
func Recall[T any](key string) (v T, ok bool, err error) {
	b, ok, err := recallBytes(key)
	if err != nil || !ok {
		return v, false, err
	}
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&v); err != nil {
		return v, false, fmt.Errorf("kernelext: recall %q as %T: %w (Forget the key, or re-run the cell that keeps it)", key, v, err)
	}
	return v, true, nil
}

// MustRecall is Recall for a cell that cannot go on without the value: the
// error names the cell to run first (e.g. `the "study" cell`) when nothing
// was kept under key.
func MustRecall[T any](key, producer string) (T, error) {
	v, ok, err := Recall[T](key)
	if err == nil && !ok {
		err = fmt.Errorf("kernelext: nothing kept under %q in this kernel: run %s first", key, producer)
	}
	return v, err
}

// Remember returns the value kept under key, or computes it with compute,
// keeps it and returns it: the first cell that asks pays, the later ones
// (and re-runs) recall. An error from compute is returned and nothing is kept.
func Remember[T any](key string, compute func() (T, error)) (T, error) {
	v, ok, err := Recall[T](key)
	if err != nil || ok {
		return v, err
	}
	if v, err = compute(); err != nil {
		return v, err
	}
	return v, Keep(key, v)
}

// Forget drops what was kept under key (nothing to drop is no error).
func Forget(key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	path, inKernel := stateFile(key)
	if !inKernel {
		stateMu.Lock()
		delete(stateMem, key)
		stateMu.Unlock()
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("kernelext: forget %q: %w", key, err)
	}
	return nil
}

// WorkDir returns a folder called name for files that cells write and
// later cells read (journals, worker folders), created when missing: under
// the kernel's temporary directory in a notebook, so that it lives exactly
// as long as the kernel (a re-run of a cell in the same kernel finds it, a
// new kernel starts clean), and under os.TempDir()/nasnb-work elsewhere.
func WorkDir(name string) (string, error) {
	if err := checkKey(name); err != nil {
		return "", err
	}
	root := os.Getenv("GONB_TMP_DIR")
	if root == "" {
		root = filepath.Join(os.TempDir(), "nasnb-work")
	}
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("kernelext: work folder %s: %w", name, err)
	}
	return dir, nil
}
