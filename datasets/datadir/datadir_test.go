package datadir

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestResolveFlagAndEnv(t *testing.T) {
	d := t.TempDir()
	got, err := Resolve(d)
	if err != nil || got != d {
		t.Fatalf("Resolve(%q) = %q, %v", d, got, err)
	}
	if _, err := Resolve(filepath.Join(d, "nope")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing flag dir: err = %v", err)
	}
	t.Setenv(EnvVar, d)
	if got, err := Resolve(""); err != nil || got != d {
		t.Fatalf("Resolve with env = %q, %v", got, err)
	}
}

func TestResolveErrorListsTried(t *testing.T) {
	empty := t.TempDir()
	t.Setenv(EnvVar, "")
	t.Setenv("XDG_CACHE_HOME", filepath.Join(empty, "cache"))
	t.Setenv("HOME", empty)
	t.Chdir(empty)
	_, err := Resolve("")
	if err == nil {
		t.Fatal("want error in an empty folder")
	}
	for _, want := range []string{"NASNB_DATA", filepath.Join("shared", "data"), filepath.Join("nasnb", "data")} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

func TestResolveFindsSharedViaModuleRoot(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "main")
	sub := filepath.Join(root, "a", "b")
	data := filepath.Join(base, "shared", "data", "nasbench201")
	for _, d := range []string{sub, data} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(root, "go.mod"), []byte("module "+ModulePath+"\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(data, "nb201_tss_merged.csv"), []byte("x"), 0o644)
	t.Setenv(EnvVar, "")
	t.Setenv("XDG_CACHE_HOME", filepath.Join(base, "cache"))
	t.Chdir(sub)
	got, err := Resolve("")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(base, "shared", "data"); got != want {
		t.Fatalf("Resolve = %q, want %q", got, want)
	}
}

func TestManifestWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Manifest {
		if len(f.SHA256) != 64 || strings.ToLower(f.SHA256) != f.SHA256 {
			t.Errorf("%s: bad sha %q", f.Name, f.SHA256)
		}
		if seen[f.Name] {
			t.Errorf("duplicate %s", f.Name)
		}
		seen[f.Name] = true
		if f.Upstream == "" {
			t.Errorf("%s: no upstream note", f.Name)
		}
		if f.URL != "" && !strings.HasPrefix(f.URL, "https://") {
			t.Errorf("%s: bad URL %q", f.Name, f.URL)
		}
	}
	if _, ok := Lookup("nasbench201_cifar10.json"); !ok {
		t.Error("Lookup by base name failed")
	}
}

func TestVerifyStatuses(t *testing.T) {
	dir := t.TempDir()
	good, bad := []byte("good data"), []byte("bad data")
	files := []File{
		{Name: "a/good.txt", SHA256: sum(good), Size: int64(len(good))},
		{Name: "a/bad.txt", SHA256: sum(good), Size: int64(len(good))},
		{Name: "missing.txt", SHA256: sum(good)},
	}
	os.MkdirAll(filepath.Join(dir, "a"), 0o755)
	os.WriteFile(filepath.Join(dir, "a", "good.txt"), good, 0o644)
	os.WriteFile(filepath.Join(dir, "a", "bad.txt"), bad, 0o644)
	r, err := verifyFiles(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	want := []Status{OK, BadChecksum, Missing}
	for i, fr := range r.Files {
		if fr.Status != want[i] {
			t.Errorf("%s: %v, want %v", fr.File.Name, fr.Status, want[i])
		}
	}
	if r.OK() || !strings.Contains(r.String(), "BAD CHECKSUM") {
		t.Errorf("report:\n%s", r)
	}
	if _, err := Verify(filepath.Join(dir, "nope")); err == nil {
		t.Error("Verify of a missing folder: want error")
	}
}

func TestFetch(t *testing.T) {
	good := []byte("the real file\n")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/x/good.bin", "/x/wrong.bin":
			w.Write(good)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	files := []File{
		{Name: "x/good.bin", SHA256: sum(good), Size: int64(len(good)), URL: "unused"},
		{Name: "x/wrong.bin", SHA256: sum([]byte("other")), URL: "unused"},
		{Name: "x/absent.bin", SHA256: sum(good), URL: "unused"},
		{Name: "x/manual.csv", SHA256: sum(good), Upstream: "build it by hand"},
	}
	dir := t.TempDir()
	var log strings.Builder
	fe := &Fetcher{Client: srv.Client(), BaseURL: srv.URL, Files: files, Log: &log}

	if err := fe.Fetch(context.Background(), dir, []string{"good.bin"}); err != nil {
		t.Fatalf("good file: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "x", "good.bin")); err != nil || string(b) != string(good) {
		t.Fatalf("good file content %q, %v", b, err)
	}
	// Fetching again keeps it.
	if err := fe.Fetch(context.Background(), dir, []string{"x/good.bin"}); err != nil || !strings.Contains(log.String(), "already present") {
		t.Fatalf("refetch: %v\n%s", err, log.String())
	}

	err := fe.Fetch(context.Background(), dir, []string{"wrong.bin"})
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("wrong checksum: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "x", "wrong.bin")); !os.IsNotExist(err) {
		t.Fatalf("bad download left in place: %v", err)
	}
	ents, _ := os.ReadDir(filepath.Join(dir, "x"))
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".part") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}

	err = fe.Fetch(context.Background(), dir, []string{"absent.bin"})
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("404: err = %v", err)
	}

	// Without a mirror, a file with no upstream URL cannot be fetched.
	direct := &Fetcher{Client: srv.Client(), Files: files, Log: &log}
	err = direct.Fetch(context.Background(), dir, []string{"manual.csv"})
	if err == nil || !strings.Contains(err.Error(), "build it by hand") {
		t.Fatalf("no-URL file named: err = %v", err)
	}
	if err := fe.Fetch(context.Background(), dir, []string{"nope.bin"}); err == nil || !strings.Contains(err.Error(), "known:") {
		t.Fatalf("unknown name: err = %v", err)
	}

	// Fetch all: the good file is kept, others fail, the manual file is skipped.
	log.Reset()
	direct.Files = files[:2]
	direct.Files = append(direct.Files, files[3])
	direct.Files[1].URL = srv.URL + "/x/wrong.bin"
	err = direct.Fetch(context.Background(), dir, nil)
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") || strings.Contains(err.Error(), "build it by hand") || !strings.Contains(log.String(), "skipped") {
		t.Fatalf("fetch all: err = %v\nlog:\n%s", err, log.String())
	}
}

func TestFetchConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	dir := t.TempDir()
	fe := &Fetcher{BaseURL: "http://" + addr, Files: []File{{Name: "f.bin", SHA256: sum(nil), URL: "x"}}}
	err = fe.Fetch(context.Background(), dir, nil)
	if err == nil {
		t.Fatal("want error")
	}
	for _, want := range []string{"cannot be reached", dir, EnvVar} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestFetchCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fe := &Fetcher{BaseURL: "http://127.0.0.1:1", Files: []File{{Name: "f.bin", SHA256: sum(nil), URL: "x"}}}
	if err := fe.Fetch(ctx, t.TempDir(), nil); err == nil {
		t.Fatal("want error")
	}
}
