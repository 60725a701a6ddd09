// Package journal appends records to a JSON-lines file, one record per line,
// each synced to disk before Append returns, so that a run killed at any
// moment can be resumed from what it had recorded.
//
// When a journal is reopened, a torn last line (the process died while
// writing it) is detected, reported and cut off; a damaged line elsewhere is an
// error naming its line number, never silently skipped.
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
)

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
	torn int
	sync bool
}

// Open opens (creating if needed) the journal at path and reads the records
// already in it. A torn last line is cut off; see [Journal.Torn].
func Open(path string) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
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
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	return j, nil
}

// load reads complete records and returns the offset after the last good one.
func (j *Journal) load() (int64, error) {
	data, err := io.ReadAll(j.f)
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
