package datadir

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 13 row 8: a Fetcher given a "../" name never writes outside dir.
func TestFetcherContainment(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("x")) }))
	defer srv.Close()
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	for _, name := range []string{"../escape.bin", "a/../../escape.bin", "/abs/escape.bin", ""} {
		fe := &Fetcher{Client: srv.Client(), BaseURL: srv.URL, Files: []File{{Name: name, SHA256: "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881", Size: 1}}}
		err := fe.Fetch(context.Background(), dir, nil)
		if err == nil || !strings.Contains(err.Error(), "inside the data folder") {
			t.Errorf("%q: err = %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "escape.bin")); err == nil {
		t.Fatal("a file was written outside the data folder")
	}
}

// Issue 13 row 8: sizes and checksums are checked before a known file is parsed.
func TestCheckSizeAndSum(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "nasbench201_cifar10.json")
	os.WriteFile(p, []byte("{}"), 0o644)
	if err := CheckSize(p); err == nil || !strings.Contains(err.Error(), "is 2 bytes, the known nasbench201/nasbench201_cifar10.json is 2625770 bytes") {
		t.Fatalf("CheckSize: %v", err)
	}
	// Right size, wrong bytes (a flipped bit elsewhere would do the same).
	os.WriteFile(p, make([]byte, 2625770), 0o644)
	if err := CheckSize(p); err != nil {
		t.Fatal(err)
	}
	if err := CheckSum(p); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("CheckSum: %v", err)
	}
	other := filepath.Join(dir, "mine.json")
	os.WriteFile(other, []byte("{}"), 0o644)
	if err := CheckSum(other); err != nil {
		t.Fatalf("a file the manifest does not know: %v", err)
	}
	if err := CheckSize("/dev/zero"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("/dev/zero: %v", err)
	}
}

// Issue 13 row 10: data fetch says each error once (log line + error, not twice).
func TestFetchSaysEachErrorOnce(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	var log strings.Builder
	fe := &Fetcher{Client: srv.Client(), BaseURL: srv.URL, Log: &log,
		Files: []File{{Name: "a.bin", SHA256: strings.Repeat("0", 64), Size: 1}, {Name: "b.bin", SHA256: strings.Repeat("0", 64), Size: 1}}}
	err := fe.Fetch(context.Background(), t.TempDir(), nil)
	if err == nil {
		t.Fatal("no error")
	}
	all := log.String() + err.Error()
	for _, name := range []string{"a.bin", "b.bin"} {
		if n := strings.Count(all, "GET "+srv.URL+"/"+name); n != 1 {
			t.Errorf("%s: its error appears %d times:\n%s", name, n, all)
		}
	}
}
