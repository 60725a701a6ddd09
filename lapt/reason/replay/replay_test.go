package replay

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/llm"
	"github.com/nasnb/nasnb/lapt/reason/llm/llmtest"
	"github.com/nasnb/nasnb/lapt/space"
)

// counting is a reasoner that counts calls and can fail.
type counting struct {
	calls int
	fail  error
}

func (c *counting) Name() string { return "counting" }

func (c *counting) Learn(_ context.Context, req reason.LearnRequest) (reason.Outcome, error) {
	c.calls++
	out := reason.Outcome{Set: principles.Set{Allowed: [][]int{{3}, {3}, {3}, {1}, {3}, {3}}}, Exchanges: []reason.Exchange{{ID: "x", Kind: "learn", PromptTokens: 10}}}
	return out, c.fail
}

func (c *counting) Adapt(_ context.Context, req reason.AdaptRequest) (reason.Outcome, error) {
	c.calls++
	return reason.Outcome{Set: req.Current.Clone(), Conversation: append(req.Conversation, reason.Message{Role: "assistant", Content: "ok"})}, c.fail
}

func req() reason.LearnRequest {
	sp := space.NB201()
	a := space.MustArch(3, 3, 3, 1, 3, 3)
	return reason.LearnRequest{Space: sp, Sources: []reason.Evidence{{Task: "imagenet16-120", Archs: []reason.Scored{{Arch: a, Text: sp.Format(a), Score: 46}}}}, TopK: 50, MaxOpsPerEdge: 2}
}

func TestRecorderServesRepeats(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl")
	c := &counting{}
	r, err := NewRecorder(c, path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 3 {
		if _, err := r.Learn(ctx, req()); err != nil {
			t.Fatal(err)
		}
	}
	if c.calls != 1 {
		t.Fatalf("inner called %d times, want 1", c.calls)
	}
	q := req()
	q.TopK = 10
	if _, err := r.Learn(ctx, q); err != nil {
		t.Fatal(err)
	}
	if c.calls != 2 {
		t.Fatalf("a different request was served from the file")
	}
	// Adapt requests differ by conversation.
	ar := reason.AdaptRequest{Space: space.NB201(), Current: principles.Set{Allowed: [][]int{{3}, {3}, {3}, {1}, {3}, {3}}}, Conversation: []reason.Message{{Role: "user", Content: "a"}}}
	r.Adapt(ctx, ar)
	r.Adapt(ctx, ar)
	ar.Conversation = []reason.Message{{Role: "user", Content: "b"}}
	r.Adapt(ctx, ar)
	if c.calls != 4 {
		t.Fatalf("inner calls = %d, want 4", c.calls)
	}
	r.Close()
	// Reopened, the recorder still serves from the file.
	r2, err := NewRecorder(c, path)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	served, _ := r2.Learn(ctx, req())
	if served.Set.Version != 1 {
		t.Errorf("served learn outcome is version %d, want 1 (the inner reasoner said 0)", served.Set.Version)
	}
	if c.calls != 4 || len(r2.Entries()) != 4 {
		t.Fatalf("calls %d entries %d", c.calls, len(r2.Entries()))
	}
	e := r2.Entries()[0]
	if e.Kind != "learn" || e.Inner != "counting" || len(e.Key) != 64 || !strings.Contains(string(e.Request), `"describe_sha256"`) || e.Outcome.Exchanges[0].PromptTokens != 10 {
		t.Fatalf("entry = %+v", e)
	}
}

func TestFailedCallsRecordedNotServed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl")
	c := &counting{fail: errors.New("endpoint down")}
	r, _ := NewRecorder(c, path)
	defer r.Close()
	_, err := r.Learn(context.Background(), req())
	if err == nil || err.Error() != "endpoint down" {
		t.Fatalf("err = %v", err)
	}
	r.Learn(context.Background(), req())
	if c.calls != 2 {
		t.Fatalf("a failed call was served from the file")
	}
	if es := r.Entries(); len(es) != 2 || es[0].Error != "endpoint down" || len(es[0].Outcome.Exchanges) != 1 {
		t.Fatalf("entries = %+v", es)
	}
	if _, err := NewReplayer(path); err == nil || !strings.Contains(err.Error(), "holds no recorded call") {
		t.Fatalf("replayer over failures only: %v", err)
	}
}

func TestReplayerMissAndTornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl")
	if _, err := NewReplayer(path); err == nil || !strings.Contains(err.Error(), "record it first") {
		t.Fatalf("missing file: %v", err)
	}
	r, _ := NewRecorder(&counting{}, path)
	r.Learn(context.Background(), req())
	r.Close()
	// A crash mid-write leaves a torn last line.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"kind":"call","data":{"key":"abc","kind":"le`)
	f.Close()
	rep, err := NewReplayer(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	if rep.Torn() == 0 {
		t.Error("torn line not reported")
	}
	if rep.Name() != "replay(counting)" {
		t.Errorf("name %q", rep.Name())
	}
	out, err := rep.Learn(context.Background(), req())
	if err != nil || out.Set.Provenance.Reasoner != "replay(counting)" {
		t.Fatalf("out %+v err %v", out.Set.Provenance, err)
	}
	q := req()
	q.MaxOpsPerEdge = 3
	_, err = rep.Learn(context.Background(), q)
	rj, _ := RequestJSON(q)
	key := Key("learn", "counting", rj)
	if !errors.Is(err, ErrMiss) || !strings.Contains(err.Error(), "no learn call with key "+key) || !strings.Contains(err.Error(), "re-record") {
		t.Fatalf("miss error = %v", err)
	}
	_, err = rep.Adapt(context.Background(), reason.AdaptRequest{Space: space.NB201()})
	if !errors.Is(err, ErrMiss) || !strings.Contains(err.Error(), "no adapt call") {
		t.Fatalf("adapt miss = %v", err)
	}
}

func TestScrub(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"h":"Authorization: Bearer abcdefghijkl"}`, `{"h":"Authorization: Bearer [redacted]"}`},
		{"key sk-proj-abcdefghijklmnop1234 here", "key sk-[redacted] here"},
		{`api-key: 0123456789abcdef`, `api-key: [redacted]`},
		{`{"api_key":"0123456789abcdef"}`, `{"api_key":"[redacted]"}`},
		{"task-specific principles stay", "task-specific principles stay"},
		{"bearer of good news", "bearer of good news"},
	} {
		if got := Scrub(c.in); got != c.want {
			t.Errorf("Scrub(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// The sentinel key goes through the real LLM reasoner and the fake server
// (faults, re-asks, a server that echoes the key) and must leave no trace
// in the file.
func TestRecordLLMNoKeyInFile(t *testing.T) {
	const sentinel = "sk-nasnbSENTINEL0123456789abcdefXYZ"
	t.Setenv("NASNB_REPLAY_TEST_SECRET", sentinel)
	srv := llmtest.New(llmtest.WithKey(sentinel))
	defer srv.Close()
	allowed := [][]int{{3, 1}, {3, 2}, {3, 1}, {3, 1}, {3, 2}, {3, 1}}
	good := llmtest.GoodReply(allowed, "Keep 3x3 convolutions.")
	srv.Push(llmtest.RateLimited("1"), llmtest.ServerError(500),
		llmtest.Reply("here is the key "+sentinel+" and Bearer "+sentinel),
		llmtest.Reply(good),
		llmtest.Reply(llmtest.GoodReply([][]int{{3}, {3}, {3}, {1}, {3}, {3}}, "Adapted.")),
		llmtest.BadRequest("bad header Authorization: Bearer "+sentinel))
	lr, err := llm.New(llm.Config{BaseURL: srv.URL(), Model: "test-model", APIKeyEnv: "NASNB_REPLAY_TEST_SECRET",
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }, JitterSeed: 1})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "llm.jsonl")
	rec, err := NewRecorder(lr, path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	learned, err := rec.Learn(ctx, req())
	if err != nil {
		t.Fatal(err)
	}
	ar := reason.AdaptRequest{Space: space.NB201(), Original: learned.Set, Current: learned.Set, Improved: true,
		Found: req().Sources[0].Archs, MaxOpsPerEdge: 2, Evaluations: 10, Conversation: learned.Conversation}
	adapted, err := rec.Adapt(ctx, ar)
	if err != nil {
		t.Fatal(err)
	}
	ar2 := ar
	ar2.Evaluations = 15
	if _, err := rec.Adapt(ctx, ar2); err == nil {
		t.Fatal("want the 400 error")
	}
	rec.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), sentinel) || strings.Contains(string(data), "SENTINEL") || strings.Contains(strings.ToLower(string(data)), "bearer sk") {
		t.Fatalf("the key leaked into the file")
	}
	if n := strings.Count(string(data), "\n"); n != 3 {
		t.Fatalf("%d lines, want 3", n)
	}
	for _, want := range []string{`"prompt_tokens"`, `"latency_ns"`, `"model":"nasnb-fake-llm"`, `"attempt":4`, "429 rate limited"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("file lacks %s", want)
		}
	}
	// Replay without the server.
	srv.Close()
	rep, err := NewReplayer(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	if rep.Name() != "replay(openai(test-model,t=0))" {
		t.Errorf("name %q", rep.Name())
	}
	l2, err := rep.Learn(ctx, req())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(l2.Set.Allowed, learned.Set.Allowed) || len(l2.Exchanges) != len(learned.Exchanges) || !reflect.DeepEqual(l2.Conversation, learned.Conversation) {
		t.Fatal("replayed learn differs")
	}
	ar.Conversation = l2.Conversation
	a2, err := rep.Adapt(ctx, ar)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a2.Set.Allowed, adapted.Set.Allowed) {
		t.Fatal("replayed adapt differs")
	}
}
