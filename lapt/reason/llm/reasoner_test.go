package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/llm/llmtest"
	"github.com/nasnb/nasnb/lapt/space"
)

// sentinel is a fake API key: it must never appear in anything produced.
const sentinel = "sk-nasnbSENTINEL0123456789abcdefXYZ"

const keyEnv = "NASNB_TEST_LLM_KEY"

type fakeSleep struct {
	mu sync.Mutex
	ds []time.Duration
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.ds = append(f.ds, d)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fakeSleep) waits() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.ds...)
}

type rig struct {
	srv   *llmtest.Server
	r     *Reasoner
	sleep *fakeSleep
	t     *testing.T
	seen  []any // everything produced, checked for the key at the end
}

func newRig(t *testing.T, mod func(*Config), opts ...llmtest.Option) *rig {
	t.Helper()
	t.Setenv(keyEnv, sentinel)
	srv := llmtest.New(append([]llmtest.Option{llmtest.WithKey(sentinel)}, opts...)...)
	g := &rig{srv: srv, sleep: &fakeSleep{}, t: t}
	cfg := Config{BaseURL: srv.URL(), Model: "test-model", APIKeyEnv: keyEnv, Timeout: 2 * time.Second,
		MaxRetries: 3, Sleep: g.sleep.sleep, JitterSeed: 1, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	if mod != nil {
		mod(&cfg)
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	g.r = r
	t.Cleanup(func() {
		srv.Close()
		g.seen = append(g.seen, srv.Requests(), srv.Problems())
		g.checkNoKey()
	})
	return g
}

// checkNoKey fails when the key shows up in anything the test produced.
func (g *rig) checkNoKey() {
	for _, v := range g.seen {
		var s string
		switch x := v.(type) {
		case error:
			if x == nil {
				continue
			}
			s = x.Error()
		case string:
			s = x
		default:
			b, err := json.Marshal(v)
			if err != nil {
				g.t.Fatal(err)
			}
			s = string(b)
		}
		if strings.Contains(s, sentinel) || strings.Contains(s, "SENTINEL") || strings.Contains(strings.ToLower(s), "bearer sk") {
			g.t.Errorf("the API key leaked into: %.300s", s)
		}
	}
}

func (g *rig) learn(ctx context.Context) (reason.Outcome, error) {
	out, err := g.r.Learn(ctx, learnReq())
	g.seen = append(g.seen, out)
	if err != nil {
		g.seen = append(g.seen, err)
	}
	return out, err
}

func learnReq() reason.LearnRequest {
	return reason.LearnRequest{Space: space.NB201(), Sources: []reason.Evidence{nb201Source()}, TopK: 50, MaxOpsPerEdge: 2}
}

var good = llmtest.GoodReply(nb201Allowed, "Convolutions into the output node help.", "Keep a skip path.")

func errorsOf(exs []reason.Exchange) []string {
	var out []string
	for _, e := range exs {
		out = append(out, e.Error)
	}
	return out
}

func TestLearnGoodReply(t *testing.T) {
	g := newRig(t, nil)
	g.srv.Push(llmtest.ReplyUsage(good, 1234, 56))
	out, err := g.learn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Set.Allowed; len(got) != 6 || got[0][0] != 3 || got[4][1] != 2 {
		t.Fatalf("allowed = %v", got)
	}
	if out.Set.Version != 1 {
		t.Errorf("Learn returned version %d, want 1", out.Set.Version)
	}
	if len(out.Set.Statements) != 2 {
		t.Errorf("statements = %q", out.Set.Statements)
	}
	if len(out.Exchanges) != 1 {
		t.Fatalf("%d exchanges", len(out.Exchanges))
	}
	ex := out.Exchanges[0]
	if ex.PromptTokens != 1234 || ex.CompletionTokens != 56 || ex.Model != llmtest.Model || ex.Attempt != 1 || ex.Error != "" || ex.Kind != "learn" || ex.Reply != good || ex.Latency <= 0 {
		t.Errorf("exchange = %+v", ex)
	}
	if len(out.Conversation) != 3 || out.Conversation[0].Role != "system" || out.Conversation[2].Role != "assistant" {
		t.Errorf("conversation roles wrong: %v", out.Conversation)
	}
	p := out.Set.Provenance
	if p.Reasoner != "openai(test-model,t=0)" || p.Model != "test-model" || len(p.Sources) != 1 || p.Sources[0] != "imagenet16-120" || len(p.Evidence) != 50 || len(p.Exchanges) != 1 || p.Exchanges[0] != ex.ID {
		t.Errorf("provenance = %+v", p)
	}
	reqs := g.srv.Requests()
	if len(reqs) != 1 || !reqs[0].Authorized || !reqs[0].KeyMatched || reqs[0].Model != "test-model" {
		t.Fatalf("requests = %+v", reqs)
	}
	if reqs[0].Temperature == nil || *reqs[0].Temperature > 1e-6 {
		t.Errorf("temperature 0 was not sent explicitly: %v", reqs[0].Temperature)
	}
	if !strings.Contains(reqs[0].Messages[0].Content, "expert in neural network design") || !strings.Contains(reqs[0].Messages[1].Content, "def cell(x0, arch)") {
		t.Errorf("prompt lacks the system role or the space as code")
	}
	if len(g.srv.Problems()) != 0 {
		t.Errorf("server problems: %v", g.srv.Problems())
	}
}

func TestTransportFaultsRetried(t *testing.T) {
	cases := []struct {
		name      string
		fault     llmtest.Behavior
		wantErr   string
		wantWaitO time.Duration // minimum wait, 0 = backoff only
	}{
		{"429 seconds", llmtest.RateLimited("3"), "429 rate limited", 3 * time.Second},
		{"429 no header", llmtest.RateLimited(""), "429 rate limited", 0},
		{"500", llmtest.ServerError(500), "HTTP 500 server error", 0},
		{"503 retry-after", func() llmtest.Behavior { b := llmtest.ServerError(503); b.RetryAfter = "2"; return b }(), "HTTP 503 server error", 2 * time.Second},
		{"cut body", llmtest.CutBody(good), "transport error", 0},
		{"no choices", llmtest.NoChoices(), "the endpoint returned no choices", 0},
		{"slow past timeout", llmtest.Slow(5*time.Second, good), "timeout: no reply within 400ms", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newRig(t, func(cfg *Config) { cfg.Timeout = 400 * time.Millisecond })
			g.srv.Push(c.fault, llmtest.Reply(good))
			out, err := g.learn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Exchanges) != 2 {
				t.Fatalf("%d exchanges, want 2: %q", len(out.Exchanges), errorsOf(out.Exchanges))
			}
			if e := out.Exchanges[0]; !strings.Contains(e.Error, c.wantErr) || e.Attempt != 1 || e.Reply != "" {
				t.Errorf("first exchange: attempt %d error %q, want %q", e.Attempt, e.Error, c.wantErr)
			}
			if e := out.Exchanges[1]; e.Error != "" || e.Attempt != 2 || e.ID != out.Exchanges[0].ID {
				t.Errorf("second exchange: %+v", e)
			}
			w := g.sleep.waits()
			if len(w) != 1 {
				t.Fatalf("waits = %v", w)
			}
			if c.wantWaitO > 0 && w[0] != c.wantWaitO {
				t.Errorf("wait %v, want the Retry-After %v", w[0], c.wantWaitO)
			}
			if c.wantWaitO == 0 && (w[0] < 50*time.Millisecond || w[0] > 100*time.Millisecond) {
				t.Errorf("wait %v outside the first backoff [50ms, 100ms]", w[0])
			}
		})
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	g := newRig(t, func(cfg *Config) { cfg.Now = func() time.Time { return now } })
	g.srv.Push(llmtest.RateLimited(now.Add(7*time.Second).Format(http.TimeFormat)), llmtest.Reply(good))
	if _, err := g.learn(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w := g.sleep.waits(); len(w) != 1 || w[0] != 7*time.Second {
		t.Fatalf("waits = %v, want [7s]", w)
	}
}

func TestRetryAfterBeyondMaxWait(t *testing.T) {
	g := newRig(t, func(cfg *Config) { cfg.MaxWait = time.Minute })
	g.srv.Push(llmtest.RateLimited("3600"))
	out, err := g.learn(context.Background())
	if err == nil || !strings.Contains(err.Error(), "the server asks to wait 1h0m0s, longer than MaxWait 1m0s") {
		t.Fatalf("err = %v", err)
	}
	if len(out.Exchanges) != 1 {
		t.Fatalf("exchanges lost: %d", len(out.Exchanges))
	}
}

func TestBackoffDeterministicAndGivesUp(t *testing.T) {
	run := func() ([]time.Duration, error, reason.Outcome) {
		g := newRig(t, nil)
		for range 4 {
			g.srv.Push(llmtest.ServerError(502))
		}
		out, err := g.learn(context.Background())
		return g.sleep.waits(), err, out
	}
	w1, err, out := run()
	w2, _, _ := run()
	if err == nil || err.Error() != "llm: learn: giving up after 4 attempts: HTTP 502 server error (server said: The server had an error while processing your request.)" {
		t.Fatalf("err = %v", err)
	}
	if len(out.Exchanges) != 4 {
		t.Fatalf("%d exchanges, want 4", len(out.Exchanges))
	}
	if len(w1) != 3 {
		t.Fatalf("waits = %v", w1)
	}
	for i, d := range w1 {
		hi := 100 * time.Millisecond << i
		if d < hi/2 || d > hi {
			t.Errorf("wait %d = %v outside [%v, %v]", i, d, hi/2, hi)
		}
		if w2[i] != d {
			t.Errorf("jitter not deterministic: %v vs %v", w1, w2)
		}
	}
}

func TestNoRetryOnClientErrors(t *testing.T) {
	cases := []struct {
		name string
		b    llmtest.Behavior
		want string
	}{
		{"401", llmtest.Unauthorized(), "llm: learn: 401 unauthorized: check " + keyEnv + " (the endpoint rejected the key) (server said: Incorrect API key provided.)"},
		{"404", llmtest.NotFound(), "llm: learn: 404 not found: check the base URL ("},
		{"400", llmtest.BadRequest("context length exceeded"), "llm: learn: HTTP 400: request rejected (server said: context length exceeded)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newRig(t, nil)
			g.srv.Push(c.b, llmtest.Reply(good))
			out, err := g.learn(context.Background())
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("err = %v, want prefix %q", err, c.want)
			}
			if len(out.Exchanges) != 1 || out.Exchanges[0].Error == "" || len(g.sleep.waits()) != 0 || g.srv.Pending() != 1 {
				t.Fatalf("retried or lost the exchange: %d exchanges, waits %v", len(out.Exchanges), g.sleep.waits())
			}
		})
	}
}

func TestWrongKey(t *testing.T) {
	g := newRig(t, nil)
	t.Setenv(keyEnv, "sk-nasnbWRONGKEY000000000000000000")
	r, err := New(Config{BaseURL: g.srv.URL(), Model: "m", APIKeyEnv: keyEnv, Sleep: g.sleep.sleep})
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Learn(context.Background(), learnReq())
	g.seen = append(g.seen, out, err)
	if err == nil || !strings.Contains(err.Error(), "401 unauthorized: check "+keyEnv) || strings.Contains(err.Error(), "WRONGKEY") {
		t.Fatalf("err = %v", err)
	}
	if reqs := g.srv.Requests(); len(reqs) != 1 || !reqs[0].Authorized || reqs[0].KeyMatched {
		t.Fatalf("requests = %+v", reqs)
	}
	b, _ := json.Marshal(out)
	if strings.Contains(string(b), "WRONGKEY") {
		t.Fatal("wrong key leaked into the outcome")
	}
}

func TestMissingKey(t *testing.T) {
	g := newRig(t, nil)
	t.Setenv("NASNB_TEST_EMPTY_KEY", "")
	r, err := New(Config{BaseURL: g.srv.URL(), Model: "m", APIKeyEnv: "NASNB_TEST_EMPTY_KEY", Sleep: g.sleep.sleep})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Learn(context.Background(), learnReq())
	if err == nil || !strings.Contains(err.Error(), "401 unauthorized: no API key was sent; set NASNB_TEST_EMPTY_KEY") {
		t.Fatalf("err = %v", err)
	}
	if p := g.srv.Problems(); len(p) != 1 || !strings.Contains(p[0], "no Authorization header") {
		t.Fatalf("problems = %v", p)
	}
}

func TestLocalServerWithoutKey(t *testing.T) {
	srv := llmtest.New(llmtest.WithoutAuth())
	defer srv.Close()
	t.Setenv("NASNB_TEST_EMPTY_KEY", "")
	r, err := New(Config{BaseURL: srv.URL(), Model: "llama3", APIKeyEnv: "NASNB_TEST_EMPTY_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	srv.Push(llmtest.Reply(good))
	if _, err := r.Learn(context.Background(), learnReq()); err != nil {
		t.Fatal(err)
	}
	if srv.Requests()[0].Authorized {
		t.Fatal("an Authorization header was sent without a key")
	}
}

func TestInvalidRepliesReasked(t *testing.T) {
	names := []string{"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"}
	cases := []struct {
		name  string
		reply llmtest.Behavior
		want  string // the exact validation error sent back
	}{
		{"cut mid-JSON", llmtest.CutReply(good), "the reply is cut off: the '{' opened at byte"},
		{"prose without dict", llmtest.Reply(llmtest.ProseOnly), "no JSON object with the allowed ops per edge found in the reply"},
		{"ids out of range", llmtest.Reply(llmtest.GoodReply([][]int{{3}, {3}, {3}, {7}, {3}, {3}})), "edge 3 (0->3): op id 7 out of range 0..4"},
		{"empty op lists", llmtest.Reply(llmtest.GoodReply([][]int{{3}, {}, {3}, {3}, {3}, {}})), "edge 1 (0->2): no op given (empty list); edge 5 (2->3): no op given (empty list)"},
		{"5 edges", llmtest.Reply(llmtest.GoodReply([][]int{{3}, {3}, {3}, {3}, {3}})), "edge 5 (2->3) is missing (5 of 6 edges given)"},
		{"7 edges", llmtest.Reply(llmtest.GoodReply([][]int{{3}, {3}, {3}, {3}, {3}, {3}, {3}})), `key "6": edge index out of range 0..5`},
		{"too many ops", llmtest.Reply(llmtest.GoodReply([][]int{{3, 1, 2}, {3}, {3}, {3}, {3}, {3}})), "edge 0 (0->1): 3 ops given, at most 2 allowed"},
		{"unknown op name", llmtest.Reply(llmtest.NamesReply([]string{"none", "skip", "conv1", "sep_conv_5x5"}, nil, [][]int{{3}, {1}, {1}, {1}, {1}, {1}})), `edge 0 (0->1): unknown op "sep_conv_5x5"`},
	}
	_ = names
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newRig(t, nil)
			g.srv.Push(c.reply, llmtest.Reply(good))
			out, err := g.learn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Exchanges) != 2 {
				t.Fatalf("%d exchanges", len(out.Exchanges))
			}
			if e := out.Exchanges[0]; !strings.Contains(e.Error, c.want) || e.Reply == "" || e.Attempt != 1 {
				t.Errorf("failed exchange: error %q reply %q", e.Error, e.Reply)
			}
			if e := out.Exchanges[1]; e.Error != "" || e.Attempt != 2 || len(e.Messages) != 4 {
				t.Errorf("re-ask exchange: %+v", e)
			}
			reqs := g.srv.Requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests", len(reqs))
			}
			re := reqs[1].Messages
			if len(re) != 4 || re[2].Role != "assistant" || re[2].Content != c.reply.Content || re[3].Role != "user" {
				t.Fatalf("re-ask conversation wrong: %d messages", len(re))
			}
			if !strings.Contains(re[3].Content, "Your previous reply could not be used: "+c.want) {
				t.Errorf("re-ask does not carry the exact validation error %q:\n%s", c.want, re[3].Content)
			}
			if len(out.Conversation) != 5 {
				t.Errorf("conversation has %d messages, want 5", len(out.Conversation))
			}
		})
	}
}

func TestOpNamesAccepted(t *testing.T) {
	g := newRig(t, nil)
	names := []string{"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"}
	edges := []string{"0->1", "0->2", "1->2", "0->3", "1->3", "2->3"}
	g.srv.Push(llmtest.Reply(llmtest.NamesReply(names, edges, nb201Allowed)))
	out, err := g.learn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Exchanges) != 1 || out.Set.Allowed[4][1] != 2 {
		t.Fatalf("out = %+v", out.Set.Allowed)
	}
}

func TestReasksExhausted(t *testing.T) {
	g := newRig(t, nil)
	bad := llmtest.GoodReply([][]int{{3}, {3}, {3}, {7}, {3}, {3}})
	g.srv.Push(llmtest.Reply(llmtest.ProseOnly), llmtest.Reply(bad), llmtest.Reply(bad), llmtest.Reply(good))
	out, err := g.learn(context.Background())
	want := "llm: learn: the model's reply is still invalid after 2 re-ask(s): edge 3 (0->3): op id 7 out of range 0..4"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	if len(out.Exchanges) != 3 {
		t.Fatalf("%d exchanges, want 3", len(out.Exchanges))
	}
	for i, e := range out.Exchanges {
		if e.Attempt != i+1 || e.Error == "" {
			t.Errorf("exchange %d: attempt %d error %q", i, e.Attempt, e.Error)
		}
	}
	if g.srv.Pending() != 1 {
		t.Errorf("asked more than MaxReasks times")
	}
}

func TestNoReasks(t *testing.T) {
	g := newRig(t, func(c *Config) { c.MaxReasks = -1 })
	g.srv.Push(llmtest.Reply(llmtest.ProseOnly))
	_, err := g.learn(context.Background())
	if err == nil || !strings.Contains(err.Error(), "after 0 re-ask(s)") {
		t.Fatalf("err = %v", err)
	}
}

func TestFaultsThenReaskMixed(t *testing.T) {
	g := newRig(t, func(cfg *Config) { cfg.Timeout = 400 * time.Millisecond })
	g.srv.Push(llmtest.RateLimited("1"), llmtest.Reply(llmtest.ProseOnly), llmtest.ServerError(500),
		llmtest.Slow(3*time.Second, good), llmtest.Reply(good))
	out, err := g.learn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Exchanges) != 5 {
		t.Fatalf("%d exchanges: %q", len(out.Exchanges), errorsOf(out.Exchanges))
	}
	for i, e := range out.Exchanges {
		if e.Attempt != i+1 {
			t.Errorf("attempt numbering: %d at %d", e.Attempt, i)
		}
	}
	if len(out.Conversation) != 5 {
		t.Errorf("conversation: %d messages", len(out.Conversation))
	}
}

func TestCancellation(t *testing.T) {
	g := newRig(t, func(cfg *Config) { cfg.Sleep = nil; cfg.Timeout = time.Minute })
	g.srv.Push(llmtest.Slow(time.Minute, good))
	ctx, cancel := context.WithCancel(context.Background())
	// Cancel once the server holds the request (not after a fixed delay: on
	// a loaded machine the request may not have left yet).
	go func() {
		for len(g.srv.Requests()) == 0 && ctx.Err() == nil {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	start := time.Now()
	out, err := g.learn(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("cancellation was not prompt")
	}
	if len(out.Exchanges) != 1 || !strings.Contains(out.Exchanges[0].Error, "cancelled") {
		t.Fatalf("exchanges = %q", errorsOf(out.Exchanges))
	}
	// Cancelled while waiting to retry.
	ctx2, cancel2 := context.WithCancel(context.Background())
	g2 := newRig(t, func(cfg *Config) {
		cfg.BaseDelay, cfg.MaxDelay = time.Minute, time.Minute
		cfg.Sleep = func(ctx context.Context, d time.Duration) error { // the user interrupts the wait
			cancel2()
			<-ctx.Done()
			return ctx.Err()
		}
	})
	g2.srv.Push(llmtest.ServerError(500))
	_, err = g2.learn(ctx2)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "waiting to retry") {
		t.Fatalf("err = %v", err)
	}
}

func TestAdaptContinuesOneConversation(t *testing.T) {
	g := newRig(t, nil)
	g.srv.Push(llmtest.Reply(good))
	learned, err := g.learn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	found := nb201Source().Archs[5:20]
	adaptReply := llmtest.GoodReply([][]int{{3, 2}, {3, 1}, {3, 1}, {1, 3}, {3, 2}, {3, 1}}, "Updated principle.")
	g.srv.Push(llmtest.Reply(adaptReply))
	req := reason.AdaptRequest{Space: space.NB201(), Original: learned.Set, Current: learned.Set, Improved: true, Found: found,
		MaxOpsPerEdge: 2, Evaluations: 10, Conversation: learned.Conversation}
	a1, err := g.r.Adapt(context.Background(), req)
	g.seen = append(g.seen, a1)
	if err != nil {
		t.Fatal(err)
	}
	if len(a1.Conversation) != 5 {
		t.Fatalf("conversation %d messages, want 5", len(a1.Conversation))
	}
	for i := range learned.Conversation {
		if a1.Conversation[i] != learned.Conversation[i] {
			t.Fatalf("adapt rewrote message %d of the conversation", i)
		}
	}
	if a1.Conversation[4].Content != adaptReply || a1.Exchanges[0].Kind != "adapt" {
		t.Fatal("the adapt reply is not appended to the conversation")
	}
	if !strings.Contains(a1.Conversation[3].Content, "the best score has improved") || !strings.Contains(a1.Conversation[3].Content, "These are the 5 best target") {
		t.Errorf("improved prompt: %s", a1.Conversation[3].Content)
	}
	if a1.Set.Statements[0] != "Updated principle." || a1.Set.Provenance.Sources[0] != "imagenet16-120" || len(a1.Set.Provenance.Evidence) != 5 {
		t.Errorf("adapted set: %+v", a1.Set)
	}
	// Stalled branch: the prompt and the reply go to the same conversation.
	g.srv.Push(llmtest.Reply(good))
	req2 := req
	req2.Improved, req2.Current, req2.Conversation, req2.Evaluations = false, a1.Set, a1.Conversation, 15
	a2, err := g.r.Adapt(context.Background(), req2)
	g.seen = append(g.seen, a2)
	if err != nil {
		t.Fatal(err)
	}
	if len(a2.Conversation) != 7 || a2.Conversation[6].Role != "assistant" {
		t.Fatalf("stalled adapt conversation: %d messages", len(a2.Conversation))
	}
	u := a2.Conversation[5].Content
	if !strings.Contains(u, "better architectures are hard to find in the current space") || !strings.Contains(u, "Convolutions into the output node help.") {
		t.Errorf("stalled prompt lacks the original principles:\n%s", u)
	}
	reqs := g.srv.Requests()
	if len(reqs) != 3 || len(reqs[2].Messages) != 6 {
		t.Fatalf("the server did not get the whole conversation")
	}
}

func TestSentinelKeyNeverLeaks(t *testing.T) {
	// A server that echoes the key (misbehaving) must not make it leak either.
	g := newRig(t, func(cfg *Config) { cfg.Timeout = 400 * time.Millisecond })
	echo := llmtest.BadRequest("invalid header Authorization: Bearer " + sentinel)
	g.srv.Push(llmtest.RateLimited("1"), llmtest.ServerError(500), llmtest.CutBody(good), llmtest.Reply("your key is "+sentinel+" "+llmtest.ProseOnly),
		llmtest.Reply(good), echo)
	out, err := g.learn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.learn(context.Background())
	if err == nil {
		t.Fatal("want the 400 error")
	}
	g.seen = append(g.seen, out, err, fmt.Sprintf("%+v", g.r.Config()))
}

func TestConfigErrors(t *testing.T) {
	if _, err := New(Config{}); err == nil || !strings.Contains(err.Error(), "Model is empty") {
		t.Fatalf("err = %v", err)
	}
	if _, err := New(Config{Model: "m", Azure: true}); err == nil {
		t.Fatal("Azure without BaseURL accepted")
	}
	if _, err := New(Config{Model: "m", Temperature: 3}); err == nil {
		t.Fatal("temperature 3 accepted")
	}
	r, err := New(Config{Model: "gpt-4o", Temperature: 0.7})
	if err != nil || r.Name() != "openai(gpt-4o,t=0.7)" {
		t.Fatalf("name %q err %v", r.Name(), err)
	}
}

func TestAzureThroughFake(t *testing.T) {
	t.Setenv(keyEnv, sentinel)
	srv := llmtest.New(llmtest.WithKey(sentinel))
	defer srv.Close()
	r, err := New(Config{BaseURL: strings.TrimSuffix(srv.URL(), "/v1"), Model: "my-deployment", Azure: true, APIVersion: "2024-06-01", APIKeyEnv: keyEnv})
	if err != nil {
		t.Fatal(err)
	}
	srv.Push(llmtest.Reply(good))
	if _, err := r.Learn(context.Background(), learnReq()); err != nil {
		t.Fatal(err)
	}
	req := srv.Requests()[0]
	if !req.KeyMatched || !strings.Contains(req.Path, "/openai/deployments/my-deployment/chat/completions") {
		t.Fatalf("azure request = %+v", req)
	}
}

func TestResponderLabelled(t *testing.T) {
	srv := llmtest.NewResponder(llmtest.FrequencyResponder(2))
	defer srv.Close()
	r, err := New(Config{BaseURL: srv.URL(), Model: "any", APIKeyEnv: "NASNB_TEST_UNSET_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Learn(context.Background(), learnReq())
	if err != nil {
		t.Fatal(err)
	}
	ex := out.Exchanges[0]
	if ex.Model != llmtest.Model || !strings.HasPrefix(ex.Reply, llmtest.Label) {
		t.Fatalf("responder reply not labelled: model %q reply %.80q", ex.Model, ex.Reply)
	}
	// The frequency responder keeps nor_conv_3x3 first on every edge of the fixture.
	for e, al := range out.Set.Allowed {
		if al[0] != 3 && e != 3 {
			t.Errorf("edge %d: %v", e, al)
		}
	}
}
