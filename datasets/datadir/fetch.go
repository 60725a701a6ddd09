package datadir

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Fetcher downloads data files. The zero value downloads Manifest from the
// upstream URLs with a default HTTP client.
type Fetcher struct {
	// Client is the HTTP client; nil means a client with a 10-minute
	// overall timeout.
	Client *http.Client
	// BaseURL, if not empty, replaces each file's URL by
	// BaseURL + "/" + File.Name: a mirror laid out like the data folder
	// (which may also host files that have no upstream URL).
	BaseURL string
	// Files is the list of known files; nil means Manifest.
	Files []File
	// Log, if not nil, receives one line per file.
	Log io.Writer
}

// Fetch downloads the Manifest files named in only (all if only is empty)
// into dir with client (nil for a default one). See Fetcher.Fetch.
func Fetch(ctx context.Context, dir string, client *http.Client, only []string) error {
	f := &Fetcher{Client: client}
	return f.Fetch(ctx, dir, only)
}

func (fe *Fetcher) logf(format string, args ...any) {
	if fe.Log != nil {
		fmt.Fprintf(fe.Log, format+"\n", args...)
	}
}

// Fetch downloads the files named in only (by Name or base name; all known
// files if only is empty) into dir, creating it if needed. Files already
// present with the right checksum are kept. Each download goes to a
// temporary file in the target folder, its SHA-256 is checked, and only
// then is it renamed into place, so a failed or interrupted download never
// leaves a bad file under the real name. Files that have no single upstream
// URL (the merged NB201 CSV) are skipped with a note when fetching
// everything, and are an error when named explicitly. All failures are
// collected into the returned error; when the network is unreachable the
// error says how to install the files by hand.
func (fe *Fetcher) Fetch(ctx context.Context, dir string, only []string) error {
	files := fe.Files
	if files == nil {
		files = Manifest
	}
	var sel []File
	explicit := len(only) > 0
	if explicit {
		for _, name := range only {
			f, ok := lookupIn(files, name)
			if !ok {
				var names []string
				for _, f := range files {
					names = append(names, f.Name)
				}
				return fmt.Errorf("datadir: unknown data file %q (known: %s)", name, strings.Join(names, ", "))
			}
			sel = append(sel, f)
		}
	} else {
		sel = files
	}
	for _, f := range sel {
		if _, err := localPath(dir, f.Name); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("datadir: %w", err)
	}
	client := fe.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Minute}
	}
	var errs []error
	unreachable := false
	for _, f := range sel {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		if r := checkFile(dir, f); r.Status == OK {
			fe.logf("ok       %s (already present)", f.Name)
			continue
		}
		u := f.URL
		if fe.BaseURL != "" {
			u = strings.TrimRight(fe.BaseURL, "/") + "/" + f.Name
		}
		if u == "" {
			msg := fmt.Sprintf("%s cannot be downloaded: %s", f.Name, f.Upstream)
			if explicit {
				errs = append(errs, errors.New("datadir: "+msg))
				fe.logf("FAILED   %s (see the error below)", f.Name)
			} else {
				fe.logf("skipped  %s", msg)
			}
			continue
		}
		err := fe.download(ctx, client, dir, f, u)
		if err != nil {
			var ne netError
			if errors.As(err, &ne) {
				unreachable = true
			}
			errs = append(errs, err)
			// The details are in the returned error: each is said once.
			fe.logf("FAILED   %s (see the error below)", f.Name)
			continue
		}
		fe.logf("fetched  %s", f.Name)
	}
	if len(errs) == 0 {
		return nil
	}
	err := errors.Join(errs...)
	if unreachable {
		err = fmt.Errorf("%w\nthe download server cannot be reached (no network?). Copy the data files by hand into %s "+
			"(same layout: nasbench201/, nats-tss-sample/, zero-cost/; `nasnb data verify --dir %s` checks them) "+
			"or set %s to a folder that already holds them", err, dir, dir, EnvVar)
	}
	return err
}

// netError marks a transport-level failure (connection refused, DNS, ...).
type netError struct{ err error }

// Error returns the wrapped error's text.
func (e netError) Error() string { return e.err.Error() }

// Unwrap returns the wrapped error.
func (e netError) Unwrap() error { return e.err }

func isNetErr(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	var ue *url.Error
	if errors.As(err, &op) || errors.As(err, &dns) {
		return true
	}
	return errors.As(err, &ue) && !errors.Is(err, context.Canceled)
}

// localPath returns where the file name lands in dir, refusing names that
// would leave it ("../x", absolute paths, empty names).
func localPath(dir, name string) (string, error) {
	local := filepath.FromSlash(name)
	if name == "" || !filepath.IsLocal(local) {
		return "", fmt.Errorf("datadir: data file name %q is not a relative path inside the data folder", name)
	}
	p := filepath.Join(dir, local)
	if rel, err := filepath.Rel(dir, p); err != nil || !filepath.IsLocal(rel) {
		return "", fmt.Errorf("datadir: data file name %q leaves the data folder", name)
	}
	return p, nil
}

func (fe *Fetcher) download(ctx context.Context, client *http.Client, dir string, f File, u string) error {
	dst, err := localPath(dir, f.Name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("datadir: %s: %w", f.Name, err)
	}
	if fi, err := os.Lstat(dst); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("datadir: %s: %s exists and is not a regular file; remove it first", f.Name, dst)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("datadir: %s: %w", f.Name, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		if isNetErr(err) && ctx.Err() == nil {
			return netError{fmt.Errorf("datadir: %s: %w", f.Name, err)}
		}
		return fmt.Errorf("datadir: %s: %w", f.Name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("datadir: %s: GET %s: HTTP %s", f.Name, u, resp.Status)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.part")
	if err != nil {
		return fmt.Errorf("datadir: %s: %w", f.Name, err)
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	h := sha256.New()
	var body io.Reader = resp.Body
	if f.Size > 0 {
		body = io.LimitReader(resp.Body, f.Size+1)
	}
	n, err := io.Copy(io.MultiWriter(tmp, h), body)
	if err != nil {
		return fmt.Errorf("datadir: %s: download interrupted after %d bytes: %w", f.Name, n, err)
	}
	if f.Size > 0 && n != f.Size {
		return fmt.Errorf("datadir: %s: got %d bytes from %s, want %d", f.Name, n, u, f.Size)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != f.SHA256 {
		return fmt.Errorf("datadir: %s: checksum mismatch for %s: sha256 %s, want %s (file discarded)", f.Name, u, sum, f.SHA256)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("datadir: %s: %w", f.Name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("datadir: %s: %w", f.Name, err)
	}
	if err := os.Chmod(tmpName, 0o644); err != nil {
		return fmt.Errorf("datadir: %s: %w", f.Name, err)
	}
	if err := os.Rename(tmpName, dst); err != nil {
		return fmt.Errorf("datadir: %s: %w", f.Name, err)
	}
	ok = true
	return nil
}
