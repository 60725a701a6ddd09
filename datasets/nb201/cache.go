package nb201

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/nasnb/nasnb/datasets/bench"
)

// stamp identifies one version of a file.
type stamp struct {
	size  int64
	mtime time.Time
}

func statFile(path string) (string, stamp, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return abs, stamp{}, fmt.Errorf("nb201: %w", err)
	}
	if fi.IsDir() {
		return abs, stamp{}, fmt.Errorf("nb201: %s is a directory, not a file", path)
	}
	return abs, stamp{fi.Size(), fi.ModTime()}, nil
}

type cacheEntry struct {
	stamps []stamp
	val    any
}

var (
	cacheMu sync.Mutex
	cache   = map[string]cacheEntry{}
)

func sameStamps(a, b []stamp) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].size != b[i].size || !a[i].mtime.Equal(b[i].mtime) {
			return false
		}
	}
	return true
}

// memo returns the cached value for key if the stamps still match, else
// computes, stores and returns it. Errors are not cached.
func memo[T any](key string, stamps []stamp, compute func() (T, error)) (T, error) {
	cacheMu.Lock()
	if e, ok := cache[key]; ok && sameStamps(e.stamps, stamps) {
		cacheMu.Unlock()
		return e.val.(T), nil
	}
	cacheMu.Unlock()
	v, err := compute()
	if err != nil {
		return v, err
	}
	cacheMu.Lock()
	cache[key] = cacheEntry{stamps: stamps, val: v}
	cacheMu.Unlock()
	return v, nil
}

// cachedFile parses one file, cached per (kind, absolute path, size, mtime).
func cachedFile[T any](kind, path string, parse func(data []byte) (T, error)) (T, error) {
	abs, st, err := statFile(path)
	if err != nil {
		var zero T
		return zero, err
	}
	return memo(kind+"\x00"+abs, []stamp{st}, func() (T, error) {
		data, err := readFile(abs)
		if err != nil {
			var zero T
			return zero, err
		}
		return parse(data)
	})
}

func cached(kind, path string, parse func(data []byte) (*bench.Table, error)) (*bench.Table, error) {
	return cachedFile(kind, path, parse)
}

// ResetCache drops all cached tables (for tests and long-running sessions
// that want the memory back).
func ResetCache() {
	cacheMu.Lock()
	cache = map[string]cacheEntry{}
	cacheMu.Unlock()
}
