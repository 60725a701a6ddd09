package llm

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nasnb/nasnb/lapt/reason/llm/llmtest"
)

// Issue 13 row 4: a 50 MB reply is refused before anything of it is kept:
// not in the conversation, not in the exchanges, not re-asked.
func TestOversizedReplyNeverStored(t *testing.T) {
	g := newRig(t, func(c *Config) { c.Timeout = time.Minute })
	big := strings.Repeat("x", 50<<20)
	g.srv.Push(llmtest.Reply(big))
	out, err := g.learn(context.Background())
	if !errors.Is(err, ErrReplyTooLarge) && (err == nil || !strings.Contains(err.Error(), "reply too large")) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "Config.MaxReplyBytes") {
		t.Errorf("error does not name the limit: %v", err)
	}
	b, _ := json.Marshal(out)
	if len(b) > 1<<20 {
		t.Fatalf("the outcome holds %d bytes of the oversized reply", len(b))
	}
	if n := len(g.srv.Requests()); n != 1 {
		t.Fatalf("%d requests: an oversized reply must be neither retried nor re-asked", n)
	}
}

// A reply that declares a huge Content-Length is refused before its body is read.
func TestOversizedDeclaredLength(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000000")
		w.WriteHeader(200)
		w.Write([]byte("{"))
	}))
	defer srv.Close()
	r, err := New(Config{BaseURL: srv.URL + "/v1", Model: "m", APIKeyEnv: "NASNB_TEST_NO_KEY", MaxReplyBytes: 1000, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Learn(context.Background(), learnReq())
	if err == nil || !strings.Contains(err.Error(), "reply too large") {
		t.Fatalf("err = %v", err)
	}
}

// Issue 13 row 10: a Retry-After above 1e6 s fails at once, not retried.
func TestHugeRetryAfterFailsAtOnce(t *testing.T) {
	g := newRig(t, nil)
	g.srv.Push(llmtest.RateLimited("99999999999"), llmtest.RateLimited("99999999999"))
	_, err := g.learn(context.Background())
	if err == nil || !strings.Contains(err.Error(), "longer than MaxWait") {
		t.Fatalf("err = %v", err)
	}
	if n := len(g.srv.Requests()); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

// Issue 13 row 10: a hanging server fails within the total timeout.
func TestHangingServerTotalTimeout(t *testing.T) {
	g := newRig(t, func(c *Config) {
		c.Timeout = 300 * time.Millisecond
		c.TotalTimeout = time.Second
		c.Sleep = sleepCtx
		c.MaxRetries = 100
	})
	for range 100 {
		g.srv.Push(llmtest.Slow(time.Minute, good))
	}
	start := time.Now()
	_, err := g.learn(context.Background())
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("took %v", el)
	}
	if err == nil || !strings.Contains(err.Error(), "total timeout") {
		t.Fatalf("err = %v", err)
	}
}

// Issue 13 row 5: credentials in the base URL never appear in an error.
func TestBaseURLCredentialsMasked(t *testing.T) {
	srv := llmtest.New(llmtest.WithoutAuth())
	defer srv.Close()
	srv.Push(llmtest.NotFound())
	u := strings.Replace(srv.URL(), "http://", "http://alice:hunter2pw@", 1)
	r, err := New(Config{BaseURL: u, Model: "m", APIKeyEnv: "NASNB_TEST_NO_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Learn(context.Background(), learnReq())
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("err = %v", err)
	}
	b, _ := json.Marshal(out)
	for _, s := range []string{err.Error(), string(b)} {
		if strings.Contains(s, "hunter2pw") {
			t.Fatalf("password leaked: %.400s", s)
		}
	}
	if !strings.Contains(err.Error(), "[redacted]@127.0.0.1") {
		t.Errorf("base URL not shown masked: %v", err)
	}
}
