// Package replay records the calls of any reason.Reasoner to a JSON-lines
// file and serves repeated calls from it, so re-running a notebook never
// pays for the same LLM call twice, and a recorded run can be reproduced
// without any endpoint.
//
// Each Learn or Adapt call becomes one line: its key, kind, the inner
// reasoner's name, the request as JSON (the space by name and a SHA-256 of
// its Describe text, plus the sources, found architectures and conversation)
// and the whole Outcome with every exchange (messages, reply, model,
// temperature, token counts, latency). The key is the SHA-256 of a canonical
// JSON of (kind, inner name, request). Lines are synced as they are written;
// a torn last line (a crash mid-write) is dropped when the file is reopened
// by a recorder; a replayer opens its file read-only and never modifies it.
// A recorder holds an exclusive lock on its file: a second recorder on the
// same file is refused.
//
// Nothing that looks like an API key or an authorization header is ever
// written: entries are scrubbed before they reach the file.
package replay

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/nasnb/nasnb/lapt/journal"
	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/internal/scrub"
	"github.com/nasnb/nasnb/lapt/space"
)

// Journal record kinds.
const (
	recordCall   = "call"   // a successful call, served on replay
	recordFailed = "failed" // a failed call, kept for the cost record only
)

// ErrMiss is wrapped by the error a replayer returns for a request that is
// not in its file.
var ErrMiss = errors.New("replay: request not recorded")

// Entry is one recorded call.
type Entry struct {
	// Key is the SHA-256 (hex) of the canonical JSON of kind, inner name and request.
	Key string `json:"key"`
	// Kind is "learn" or "adapt".
	Kind string `json:"kind"`
	// Inner is the name of the reasoner that answered.
	Inner string `json:"inner"`
	// Request is the canonical request JSON the key was computed from.
	Request json.RawMessage `json:"request"`
	// Outcome is what the inner reasoner returned, exchanges included.
	Outcome reason.Outcome `json:"outcome"`
	// Error is set for a failed call (such entries are never served).
	Error string `json:"error,omitempty"`
	// Time is when the call was recorded.
	Time time.Time `json:"time"`
}

// Reasoner is a recorder or a replayer. It implements reason.Reasoner and is
// safe for concurrent use.
type Reasoner struct {
	inner  reason.Reasoner // nil for a replayer
	name   string          // Name()
	inners []string        // inner names to try on replay
	path   string

	mu      sync.Mutex
	j       *journal.Journal
	byKey   map[string]Entry
	entries []Entry
}

var _ reason.Reasoner = (*Reasoner)(nil)

// NewRecorder wraps inner: each call is answered from the file at path when
// an identical request was recorded before, else by inner, and then appended
// to the file (created if needed). Failed calls are recorded too (with
// their exchanges, for the cost record) but never served.
func NewRecorder(inner reason.Reasoner, path string) (*Reasoner, error) {
	if inner == nil {
		return nil, errors.New("replay: NewRecorder needs an inner reasoner")
	}
	r := &Reasoner{inner: inner, name: inner.Name(), inners: []string{inner.Name()}, path: path}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

// NewReplayer serves calls only from the file at path; a request that is not
// recorded fails with an error naming its key and kind (wrapping [ErrMiss]).
// Its name is "replay(<recorded inner name>)".
func NewReplayer(path string) (*Reasoner, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("replay: %w (record it first with replay.NewRecorder)", err)
	}
	r := &Reasoner{path: path}
	if err := r.open(); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, e := range r.entries {
		if e.Error == "" && !seen[e.Inner] {
			seen[e.Inner] = true
			r.inners = append(r.inners, e.Inner)
		}
	}
	if len(r.inners) == 0 {
		r.j.Close()
		return nil, fmt.Errorf("replay: %s holds no recorded call (record it first with replay.NewRecorder)", path)
	}
	r.name = "replay(" + strings.Join(r.inners, "+") + ")"
	return r, nil
}

func (r *Reasoner) open() error {
	open := journal.Open
	if r.inner == nil {
		// A replayer only reads: its input is never locked exclusively,
		// modified or truncated (a torn tail is ignored, not cut), and it
		// works on read-only media.
		open = journal.OpenReadOnly
	}
	j, err := open(r.path)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	r.j = j
	r.byKey = map[string]Entry{}
	for _, rec := range j.Records() {
		var e Entry
		if err := json.Unmarshal(rec.Data, &e); err != nil {
			j.Close()
			return fmt.Errorf("replay: %s: a %s record cannot be read: %v", r.path, rec.Kind, err)
		}
		r.entries = append(r.entries, e)
		if rec.Kind == recordCall && e.Error == "" {
			r.byKey[e.Key] = e
		}
	}
	return nil
}

// Name returns the inner reasoner's name for a recorder (it is transparent),
// "replay(<inner>)" for a replayer.
func (r *Reasoner) Name() string { return r.name }

// Path returns the file's path.
func (r *Reasoner) Path() string { return r.path }

// Torn returns how many bytes of a torn last line were dropped on open.
func (r *Reasoner) Torn() int { return r.j.Torn() }

// Entries returns every recorded call in file order, failed ones included
// (e.g. to total the tokens spent).
func (r *Reasoner) Entries() []Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Entry(nil), r.entries...)
}

// Close closes the file.
func (r *Reasoner) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.j.Close()
}

// spaceRef identifies a space in a request: its name and a hash of its
// description (which covers the ops, the wiring and any restriction).
type spaceRef struct {
	Name           string `json:"name"`
	DescribeSHA256 string `json:"describe_sha256"`
}

func refOf(sp *space.Space) spaceRef {
	if sp == nil {
		return spaceRef{}
	}
	h := sha256.Sum256([]byte(sp.Describe()))
	return spaceRef{Name: sp.Name(), DescribeSHA256: hex.EncodeToString(h[:])}
}

// RequestJSON returns the canonical JSON of a request (a reason.LearnRequest
// or reason.AdaptRequest) as recorded.
func RequestJSON(req any) (json.RawMessage, error) {
	var v any
	switch q := req.(type) {
	case reason.LearnRequest:
		v = struct {
			Space   spaceRef            `json:"space"`
			Request reason.LearnRequest `json:"request"`
		}{refOf(q.Space), q}
	case reason.AdaptRequest:
		// Provenance is metadata about who produced a set, not part of the
		// question: a replayed set is labelled replay(...), and the next
		// request must still match the recorded one.
		q.Original, q.Current = q.Original.Clone(), q.Current.Clone()
		q.Original.Provenance, q.Current.Provenance = principles.Provenance{}, principles.Provenance{}
		v = struct {
			Space   spaceRef            `json:"space"`
			Request reason.AdaptRequest `json:"request"`
		}{refOf(q.Space), q}
	default:
		return nil, fmt.Errorf("replay: unknown request type %T", req)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("replay: encoding the request: %w", err)
	}
	return b, nil
}

// Key returns the key of a call: the SHA-256 (hex) of the canonical JSON of
// kind, inner reasoner name and request JSON.
func Key(kind, inner string, request json.RawMessage) string {
	b, _ := json.Marshal(struct {
		Kind    string          `json:"kind"`
		Inner   string          `json:"inner"`
		Request json.RawMessage `json:"request"`
	}{kind, inner, request})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Learn serves a recorded learn call or (recorder) asks the inner reasoner.
// The set is version 1, also when served from a recording made before
// reasoners numbered it (version 0).
func (r *Reasoner) Learn(ctx context.Context, req reason.LearnRequest) (reason.Outcome, error) {
	out, err := r.call(ctx, "learn", req, req.Space, func() (reason.Outcome, error) { return r.inner.Learn(ctx, req) })
	if err == nil {
		out.Set.Version = 1
	}
	return out, err
}

// Adapt serves a recorded adapt call or (recorder) asks the inner reasoner.
func (r *Reasoner) Adapt(ctx context.Context, req reason.AdaptRequest) (reason.Outcome, error) {
	return r.call(ctx, "adapt", req, req.Space, func() (reason.Outcome, error) { return r.inner.Adapt(ctx, req) })
}

func (r *Reasoner) call(ctx context.Context, kind string, req any, sp *space.Space, ask func() (reason.Outcome, error)) (reason.Outcome, error) {
	reqJSON, err := RequestJSON(req)
	if err != nil {
		return reason.Outcome{}, err
	}
	r.mu.Lock()
	for _, in := range r.inners {
		key := Key(kind, in, reqJSON)
		if e, ok := r.byKey[key]; ok {
			r.mu.Unlock()
			out := cloneOutcome(e.Outcome)
			if r.inner == nil {
				out.Set.Provenance.Reasoner = r.name
			}
			return out, nil
		}
	}
	r.mu.Unlock()
	if r.inner == nil {
		key := Key(kind, r.inners[0], reqJSON)
		spName := "?"
		if sp != nil {
			spName = sp.Name()
		}
		return reason.Outcome{}, fmt.Errorf("%w: no %s call with key %s (reasoner %s, space %s) in %s; the request differs from every recorded one: re-record it with replay.NewRecorder and the live reasoner",
			ErrMiss, kind, key, r.inners[0], spName, r.path)
	}
	if err := ctx.Err(); err != nil {
		return reason.Outcome{}, err
	}
	out, callErr := ask()
	e := Entry{Key: Key(kind, r.name, reqJSON), Kind: kind, Inner: r.name, Request: reqJSON, Outcome: out, Time: time.Now().UTC()}
	rec := recordCall
	if callErr != nil {
		e.Error = callErr.Error()
		rec = recordFailed
	}
	if err := r.append(rec, e); err != nil {
		if callErr != nil {
			return out, fmt.Errorf("%w (and recording it failed: %v)", callErr, err)
		}
		return out, err
	}
	return out, callErr
}

// append scrubs e, writes it and indexes the stored form.
func (r *Reasoner) append(kind string, e Entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("replay: encoding the entry: %w", err)
	}
	b = []byte(Scrub(string(b)))
	var stored Entry
	if err := json.Unmarshal(b, &stored); err != nil {
		return fmt.Errorf("replay: re-reading the scrubbed entry: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.j.Append(kind, json.RawMessage(b)); err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	r.entries = append(r.entries, stored)
	if kind == recordCall {
		r.byKey[stored.Key] = stored
	}
	return nil
}

func cloneOutcome(o reason.Outcome) reason.Outcome {
	c := o
	c.Set = o.Set.Clone()
	c.Conversation = append([]reason.Message(nil), o.Conversation...)
	c.Exchanges = append([]reason.Exchange(nil), o.Exchanges...)
	for i := range c.Exchanges {
		c.Exchanges[i].Messages = append([]reason.Message(nil), o.Exchanges[i].Messages...)
	}
	return c
}

// Scrub replaces anything in s that looks like an API key, an
// authorization header value or a URL credential ("sk-...", "Bearer ...",
// "api-key: ...", "http://user:password@host", and the values of the
// environment variables named *_API_KEY) with "[redacted]". The result of
// scrubbing valid JSON is valid JSON.
func Scrub(s string) string { return scrub.Env(s) }
