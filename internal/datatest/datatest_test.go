package datatest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder stands in for *testing.T and records how the test would stop.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper()                           {}
func (r *recorder) Fatalf(format string, args ...any) { r.fatal = fmt.Sprintf(format, args...) }
func (r *recorder) Skip(args ...any)                  { r.skip = fmt.Sprint(args...) }

func TestMissingDataSkipsOrFails(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nowhere")
	t.Setenv("NASNB_DATA", missing)

	t.Setenv(RequireEnv, "")
	r := &recorder{TB: t}
	Dir(r)
	if r.fatal != "" || !strings.Contains(r.skip, missing) || !strings.Contains(r.skip, "NASNB_DATA") {
		t.Errorf("not required: skip %q, fatal %q", r.skip, r.fatal)
	}

	t.Setenv(RequireEnv, "1")
	r = &recorder{TB: t}
	Dir(r)
	if r.skip != "" || !strings.Contains(r.fatal, missing) || !strings.Contains(r.fatal, RequireEnv+"=1") {
		t.Errorf("required: skip %q, fatal %q", r.skip, r.fatal)
	}
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "zero-cost"), 0o755)
	os.WriteFile(filepath.Join(dir, "zero-cost", "zc.json"), []byte("{}"), 0o644)
	t.Setenv("NASNB_DATA", dir)
	t.Setenv(RequireEnv, "1")
	r := &recorder{TB: t}
	if got := File(r, "zero-cost/zc.json"); got != filepath.Join(dir, "zero-cost", "zc.json") || r.fatal != "" || r.skip != "" {
		t.Errorf("present file: %q, fatal %q, skip %q", got, r.fatal, r.skip)
	}
	r = &recorder{TB: t}
	File(r, "zero-cost/absent.json")
	if !strings.Contains(r.fatal, "zero-cost/absent.json") {
		t.Errorf("absent file, required: fatal %q", r.fatal)
	}
	t.Setenv(RequireEnv, "")
	r = &recorder{TB: t}
	File(r, "zero-cost/absent.json")
	if r.fatal != "" || !strings.Contains(r.skip, "zero-cost/absent.json") {
		t.Errorf("absent file, not required: skip %q fatal %q", r.skip, r.fatal)
	}
}
