// Package journal appends records to a JSON-lines file, one record per line,
// each synced to disk before Append returns, so that a run killed at any
// moment can be resumed from what it had recorded.
//
// When a journal is reopened, a torn last line (the process died while
// writing it) is detected, reported and cut off; a damaged line elsewhere is an
// error naming its line number, never silently skipped.
//
// One writer at a time: [Open] takes an exclusive lock (flock) on the file
// and a second process (or a second Open in the same process) opening the
// same journal is refused at once with [ErrLocked]. Writes are append-only
// (O_APPEND). [OpenReadOnly] reads a journal without locking it,
// without modifying it (a torn tail is ignored, not cut) and
// works on read-only media. Only regular files are journals: a device, FIFO
// or directory is refused before anything is read.
package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/nasnb/nasnb/internal/safefile"
)

// MaxBytes is the largest journal Open and OpenReadOnly read (1 GiB).
var MaxBytes int64 = 1 << 30

// ErrLocked is wrapped by the error of opening a journal that another
// writer holds.
var ErrLocked = errors.New("journal: in use by another writer")

// ErrReadOnly is wrapped by the error of appending to a journal opened
// read-only.
var ErrReadOnly = errors.New("journal: opened read-only")

// Record is one line of a journal: a kind and its JSON payload.
type Record struct {
	// Kind tells what the payload is ("header", "trial", "principles", ...).
	Kind string `json:"kind"`
	// Data is the payload.
	Data json.RawMessage `json:"data"`
}

// Journal is an append-only JSON-lines file. It is safe for concurrent use.
type Journal struct {
	mu      sync.Mutex
	f       *os.File
	path    string
	records []Record
	// Torn is the number of bytes of a torn last line dropped on open.
	torn     int
	sync     bool
	readOnly bool
}

// Open opens (creating if needed) the journal at path for appending and
// reads the records already in it. A torn last line is cut off; see
// [Journal.Torn]. The file is locked exclusively until Close: a journal
// another writer holds is refused with an error wrapping [ErrLocked]. A
// journal that cannot be opened for writing (read-only media or
// permissions) but exists is opened read-only instead: it can be read and
// a finished run resumed, and Append fails with [ErrReadOnly].
func Open(path string) (*Journal, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		if _, serr := os.Stat(path); serr == nil {
			return OpenReadOnly(path)
		}
		return nil, fmt.Errorf("journal: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND|syscall.O_NONBLOCK, 0o644)
	if err != nil {
		if errors.Is(err, syscall.EROFS) || errors.Is(err, os.ErrPermission) {
			if _, serr := os.Stat(path); serr == nil {
				return OpenReadOnly(path)
			}
		}
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := checkOpened(f, path); err != nil {
		f.Close()
		return nil, err
	}
	if err := lockFile(f, true); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s: %w (is another nasnb run using it? give each run its own journal, or wait for it to finish)", path, err)
	}
	j := &Journal{f: f, path: path, sync: true}
	good, err := j.load()
	if err != nil {
		f.Close()
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.Size() > good {
		j.torn = int(fi.Size() - good)
		if err := f.Truncate(good); err != nil {
			f.Close()
			return nil, fmt.Errorf("journal %s: cutting torn last line: %w", path, err)
		}
	}
	return j, nil
}

// OpenReadOnly reads the journal at path without modifying it: the file is
// opened read-only and not locked (readers never conflict; a line a writer
// is appending at that moment counts as torn), a torn last line is ignored
// (reported by Torn but left in the file) and Append fails with
// [ErrReadOnly].
func OpenReadOnly(path string) (*Journal, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	f, err := safefile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := checkOpened(f, path); err != nil {
		f.Close()
		return nil, err
	}
	j := &Journal{f: f, path: path, readOnly: true}
	good, err := j.load()
	if err != nil {
		f.Close()
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.Size() > good {
		j.torn = int(fi.Size() - good)
	}
	return j, nil
}

// checkPath refuses an existing path that is not a regular file.
func checkPath(path string) error {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("journal %s: %w", path, safefile.ErrNotRegular)
	}
	return nil
}

// checkOpened checks the opened file: regular and at most MaxBytes.
func checkOpened(f *os.File, path string) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("journal %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("journal %s: %w", path, safefile.ErrNotRegular)
	}
	if fi.Size() > MaxBytes {
		return fmt.Errorf("journal %s: %d bytes, more than journal.MaxBytes (%d): %w", path, fi.Size(), MaxBytes, safefile.ErrTooLarge)
	}
	return nil
}

// ReadOnly reports whether the journal was opened read-only.
func (j *Journal) ReadOnly() bool { return j.readOnly }

// load reads complete records and returns the offset after the last good one.
func (j *Journal) load() (int64, error) {
	data, err := io.ReadAll(io.LimitReader(j.f, MaxBytes+1))
	if err == nil && int64(len(data)) > MaxBytes {
		err = fmt.Errorf("more than journal.MaxBytes (%d): %w", MaxBytes, safefile.ErrTooLarge)
	}
	if err != nil {
		return 0, fmt.Errorf("journal %s: %w", j.path, err)
	}
	var off int64
	line := 0
	for len(data) > 0 {
		line++
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			// No newline: the last write was torn.
			return off, nil
		}
		var r Record
		if err := json.Unmarshal(data[:nl], &r); err != nil || r.Kind == "" {
			if len(bytes.TrimSpace(data[nl+1:])) == 0 {
				// A damaged final line (e.g. zero-filled after a crash): torn.
				return off, nil
			}
			if err == nil {
				err = errors.New("record has no kind")
			}
			return 0, fmt.Errorf("journal %s: line %d is damaged (%v); the journal cannot be resumed safely", j.path, line, err)
		}
		j.records = append(j.records, r)
		off += int64(nl + 1)
		data = data[nl+1:]
	}
	return off, nil
}

// Path returns the journal's file path.
func (j *Journal) Path() string { return j.path }

// Torn returns how many bytes of a torn last line were dropped on open.
func (j *Journal) Torn() int { return j.torn }

// SetSync turns the per-record fsync on or off (on by default). Turning it
// off trades crash safety for speed, e.g. in benchmarks.
func (j *Journal) SetSync(on bool) { j.mu.Lock(); j.sync = on; j.mu.Unlock() }

// Records returns the records read on open and appended since.
func (j *Journal) Records() []Record {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]Record(nil), j.records...)
}

// Kind returns the payloads of the records of one kind, in order.
func (j *Journal) Kind(kind string) []json.RawMessage {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []json.RawMessage
	for _, r := range j.records {
		if r.Kind == kind {
			out = append(out, r.Data)
		}
	}
	return out
}

// Append writes one record and syncs it to disk.
func (j *Journal) Append(kind string, v any) error {
	if kind == "" {
		return errors.New("journal: empty record kind")
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("journal %s: encoding %s record: %w", j.path, kind, err)
	}
	line, err := json.Marshal(Record{Kind: kind, Data: data})
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	line = append(line, '\n')
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return fmt.Errorf("journal %s: closed", j.path)
	}
	if j.readOnly {
		return fmt.Errorf("journal %s: cannot append a %s record: %w (read-only media or permissions?)", j.path, kind, ErrReadOnly)
	}
	w := bufio.NewWriterSize(j.f, len(line))
	if _, err := w.Write(line); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if j.sync {
		if err := j.f.Sync(); err != nil {
			return fmt.Errorf("journal %s: sync: %w", j.path, err)
		}
	}
	j.records = append(j.records, Record{Kind: kind, Data: data})
	return nil
}

// Close closes the file.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}
