// Package datadir finds, verifies and downloads the benchmark data files
// that the nasnb loaders read.
//
// Resolve picks the data folder; Manifest lists the known files with their
// SHA-256 checksums and upstream locations; Verify checks a folder against
// the manifest; Fetch downloads missing files, verifying each checksum
// before it atomically moves the file into place.
package datadir

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// EnvVar is the environment variable that names the data folder.
const EnvVar = "NASNB_DATA"

// ModulePath is the module whose checkout Resolve looks for.
const ModulePath = "github.com/nasnb/nasnb"

// CacheDir returns the per-user data folder, os.UserCacheDir()/nasnb/data.
func CacheDir() (string, error) {
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("datadir: no per-user cache folder: %w", err)
	}
	return filepath.Join(c, "nasnb", "data"), nil
}

// ModuleRoot walks up from dir to the first folder whose go.mod declares
// ModulePath and returns it.
func ModuleRoot(dir string) (string, bool) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		if isModuleRoot(dir) {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

func isModuleRoot(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "module"); ok {
			rest = strings.Trim(strings.TrimSpace(rest), `"`)
			return rest == ModulePath
		}
	}
	return false
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// hasKnownFile reports whether dir holds at least one Manifest file.
func hasKnownFile(dir string) bool {
	for _, f := range Manifest {
		if fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f.Name))); err == nil && !fi.IsDir() {
			return true
		}
	}
	return false
}

// Candidates returns, in order, the folders Resolve considers: flag (if
// not empty), $NASNB_DATA (if set), ../shared/data relative to the current
// folder, ../shared/data relative to the module root above the current
// folder, and the per-user cache folder.
func Candidates(flag string) []string {
	var c []string
	add := func(p string) {
		if p == "" {
			return
		}
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		for _, q := range c {
			if q == p {
				return
			}
		}
		c = append(c, p)
	}
	add(flag)
	add(os.Getenv(EnvVar))
	if wd, err := os.Getwd(); err == nil {
		add(filepath.Join(wd, "..", "shared", "data"))
		if root, ok := ModuleRoot(wd); ok {
			add(filepath.Join(root, "..", "shared", "data"))
		}
	}
	if cd, err := CacheDir(); err == nil {
		add(cd)
	}
	return c
}

// Resolve returns the data folder: the path the user gave (flag, used if it
// is an existing folder, an error otherwise), else $NASNB_DATA if it is an
// existing folder, else the first of ../shared/data (relative to the
// current folder or to the root of this module's checkout above it) and
// the per-user cache folder (CacheDir) that holds at least one known data
// file. The error lists every place tried.
func Resolve(flag string) (string, error) {
	if flag != "" {
		if isDir(flag) {
			return filepath.Abs(flag)
		}
		return "", fmt.Errorf("datadir: data folder %q does not exist (create it with `nasnb data fetch --dir %s`)", flag, flag)
	}
	var tried []string
	env := os.Getenv(EnvVar)
	for i, c := range Candidates("") {
		if env != "" && i == 0 {
			if isDir(c) {
				return c, nil
			}
			tried = append(tried, fmt.Sprintf("$%s=%s (not a folder)", EnvVar, c))
			continue
		}
		if isDir(c) && hasKnownFile(c) {
			return c, nil
		}
		why := "missing"
		if isDir(c) {
			why = "no known data file"
		}
		tried = append(tried, fmt.Sprintf("%s (%s)", c, why))
	}
	if env == "" {
		tried = append([]string{"$" + EnvVar + " (not set)"}, tried...)
	}
	return "", errors.New("datadir: no benchmark data folder found; tried:\n  " + strings.Join(tried, "\n  ") +
		"\nrun `nasnb data fetch`, copy the files into one of these folders, or set " + EnvVar)
}

// SharedForTests returns the folder tests should read shared data from:
// $NASNB_DATA if set, else ../shared/data next to the module root found
// above the current folder. ok is false if that folder does not exist.
// Tests call it through internal/datatest.Dir, which then skips the test, or
// fails it when $NASNB_REQUIRE_DATA=1.
func SharedForTests() (dir string, ok bool) {
	if env := os.Getenv(EnvVar); env != "" {
		return env, isDir(env)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	root, found := ModuleRoot(wd)
	if !found {
		return "", false
	}
	dir = filepath.Join(filepath.Dir(root), "shared", "data")
	return dir, isDir(dir)
}
