// Package datatest gives tests the benchmark data folder, or skips them when
// it is absent — unless the run requires the data ($NASNB_REQUIRE_DATA=1, as
// CI sets it), in which case a missing folder or file fails the test, so
// that a checkout without the data cannot report "all passed".
//
// Tests that must run in every checkout use synthetic tasks instead
// (internal/synth); only tests that check facts of the real tables belong
// behind Dir.
package datatest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/nasnb/nasnb/datasets/datadir"
)

// RequireEnv is the environment variable that turns a missing data folder
// or file from a skip into a test failure when set to "1".
const RequireEnv = "NASNB_REQUIRE_DATA"

// Required reports whether the run requires the benchmark data
// ($NASNB_REQUIRE_DATA=1).
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// Missing stops the test because data it needs is absent: a skip normally,
// a failure when Required. The message says what is missing and how to
// provide it.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		tb.Fatalf("%s (%s=1: missing data fails instead of skipping)", msg, RequireEnv)
		return
	}
	tb.Skip(msg)
}

// Dir returns the benchmark data folder: $NASNB_DATA if set, else
// ../shared/data next to the module root (datadir.SharedForTests). When the
// folder does not exist the test is skipped, or fails when Required.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir, ok := datadir.SharedForTests()
	if !ok {
		where := dir
		if where == "" {
			where = "../shared/data next to the module root"
		}
		Missing(tb, "benchmark data folder %s not found: set %s or put the data in ../shared/data", where, datadir.EnvVar)
	}
	return dir
}

// File returns the path of a file under the benchmark data folder (rel is
// slash-separated, e.g. "zero-cost/zc_nasbench201.json"). When the folder or
// the file is absent the test is skipped, or fails when Required.
func File(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(Dir(tb), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		Missing(tb, "benchmark data file %s: %v", rel, err)
	}
	return p
}
