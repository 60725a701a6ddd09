package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/internal/datatest"
)

func runDataT(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := runData(context.Background(), args, &out, &errb)
	return out.String() + errb.String(), err
}

func TestDataUsageErrors(t *testing.T) {
	for _, args := range [][]string{nil, {"bogus"}, {"info", "--nope"}, {"verify", "extra"}, {"info", "--dir"}} {
		_, err := runDataT(t, args...)
		if err == nil || !strings.Contains(err.Error(), "Usage:") {
			t.Errorf("%q: err = %v", args, err)
		}
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%q: not a usage error: %T", args, err)
		}
	}
	out, err := runDataT(t, "verify", "-h")
	if err != nil || !strings.Contains(out, "nasnb data fetch") {
		t.Errorf("-h: %v\n%s", err, out)
	}
}

func TestDataVerifyAndInfo(t *testing.T) {
	dir := datatest.Dir(t)
	out, err := runDataT(t, "verify", "--dir", dir)
	if err != nil || !strings.Contains(out, "11 ok, 0 missing") {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	out, err = runDataT(t, "info", "--dir", dir)
	if err != nil {
		t.Fatalf("info: %v\n%s", err, out)
	}
	for _, want := range []string{"15625", "91.6067", "94.3733", "6111", "73.5133", "47.3111", "91.418", "72.593", "46.267",
		"class_scene", "segmentsemantic", "meta: 15625 archs; 3 arch files present"} {
		if !strings.Contains(out, want) {
			t.Errorf("info lacks %q:\n%s", want, out)
		}
	}
}

func TestDataVerifyEmptyAndCorrupt(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "nasbench201"), 0o755)
	os.WriteFile(filepath.Join(dir, "nasbench201", "nasbench201_cifar10.json"), []byte(`{"x": `), 0o644)
	out, err := runDataT(t, "verify", "--dir", dir)
	if err == nil || !strings.Contains(out, "BAD CHECKSUM") || !strings.Contains(out, "missing") || !strings.Contains(err.Error(), "nasnb data fetch") {
		t.Errorf("verify: %v\n%s", err, out)
	}
	out, err = runDataT(t, "info", "--dir", dir)
	if err == nil || !strings.Contains(err.Error(), "nasbench201_cifar10.json") || !strings.Contains(out, "missing") {
		t.Errorf("info on a corrupt file: %v\n%s", err, out)
	}
	if _, err := runDataT(t, "info", "--dir", filepath.Join(dir, "nope")); err == nil {
		t.Error("info on a missing folder")
	}
}

func TestDataFetchUnknownFile(t *testing.T) {
	_, err := runDataT(t, "fetch", "--dir", t.TempDir(), "no-such-file.json")
	if err == nil || !strings.Contains(err.Error(), "unknown data file") {
		t.Errorf("err = %v", err)
	}
	// The merged CSV has no upstream file: naming it explains how to get it.
	_, err = runDataT(t, "fetch", "nb201_tss_merged.csv", "--dir", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "join") {
		t.Errorf("err = %v", err)
	}
}
