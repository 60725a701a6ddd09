// Package llmtest is a fake OpenAI-compatible chat-completions server for
// tests and offline notebooks. It answers from a queue of scripted
// behaviours (good replies, slow replies, 429 with Retry-After, 5xx, bodies
// cut mid-JSON, 401, ...) and records every request it gets, so tests can
// assert the conversation the client sent. It checks that requests carry an
// Authorization (or api-key) header but never stores or echoes its value.
//
// With a responder ([WithResponder]) it answers from a function of the
// messages instead; such replies start with [Label] and report the model
// [Model], so nobody mistakes them for a language model's output.
package llmtest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Model is the model name the server reports in every reply.
const Model = "nasnb-fake-llm"

// Label starts every reply produced by a responder.
const Label = "[nasnb test server: canned reply, not from a language model]"

// Message is one chat message as the server received it.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Behavior is how the server answers one request.
type Behavior struct {
	// Name labels the behaviour in [Request.Behavior].
	Name string
	// Status is the HTTP status (0 = 200).
	Status int
	// Content is the assistant message of a 200 reply, or the error message
	// of an error status.
	Content string
	// FinishReason of a 200 reply (default "stop").
	FinishReason string
	// PromptTokens and CompletionTokens are reported as usage (0 = estimated
	// from the text, about 4 bytes a token).
	PromptTokens, CompletionTokens int
	// Delay is waited before answering; it ends early when the client gives
	// up, so a slow reply past the client's timeout never blocks the server.
	Delay time.Duration
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter string
	// CutBody sends only the first half of the JSON body, then ends it.
	CutBody bool
	// NoChoices sends a 200 reply with an empty choices list.
	NoChoices bool
}

// Reply is a good reply with the given content.
func Reply(content string) Behavior { return Behavior{Name: "reply", Content: content} }

// ReplyUsage is a good reply reporting the given token usage.
func ReplyUsage(content string, prompt, completion int) Behavior {
	return Behavior{Name: "reply", Content: content, PromptTokens: prompt, CompletionTokens: completion}
}

// Slow replies with content after d (use a d past the client's timeout).
func Slow(d time.Duration, content string) Behavior {
	return Behavior{Name: "slow", Content: content, Delay: d}
}

// RateLimited answers 429 with the Retry-After header (seconds or an HTTP
// date; empty for none).
func RateLimited(retryAfter string) Behavior {
	return Behavior{Name: "429", Status: http.StatusTooManyRequests, Content: "Rate limit reached, please retry later.", RetryAfter: retryAfter}
}

// ServerError answers with a 5xx status.
func ServerError(status int) Behavior {
	return Behavior{Name: fmt.Sprint(status), Status: status, Content: "The server had an error while processing your request."}
}

// Unauthorized answers 401 as for a wrong key (the key is never echoed).
func Unauthorized() Behavior {
	return Behavior{Name: "401", Status: http.StatusUnauthorized, Content: "Incorrect API key provided."}
}

// NotFound answers 404 as for an unknown model.
func NotFound() Behavior {
	return Behavior{Name: "404", Status: http.StatusNotFound, Content: "The model does not exist or you do not have access to it."}
}

// BadRequest answers 400 with msg.
func BadRequest(msg string) Behavior {
	return Behavior{Name: "400", Status: http.StatusBadRequest, Content: msg}
}

// CutBody answers 200 but sends only the first half of the JSON body (a
// connection cut mid-reply).
func CutBody(content string) Behavior {
	return Behavior{Name: "cut-body", Content: content, CutBody: true}
}

// CutReply is a 200 reply whose content is cut in the middle of its JSON
// block, with finish_reason "length" (the model hit its token limit).
func CutReply(content string) Behavior {
	return Behavior{Name: "cut-reply", Content: CutMid(content), FinishReason: "length"}
}

// NoChoices is a 200 reply with no choices.
func NoChoices() Behavior { return Behavior{Name: "no-choices", NoChoices: true} }

// Request is one request the server got. It holds whether an authorization
// header was present, never its value.
type Request struct {
	Path     string    `json:"path"`
	Model    string    `json:"model"`
	Messages []Message `json:"messages"`
	// Temperature is nil when the request carried none.
	Temperature *float64 `json:"temperature,omitempty"`
	MaxTokens   int      `json:"max_tokens,omitempty"`
	// Authorized reports an Authorization or api-key header was present.
	Authorized bool `json:"authorized"`
	// KeyMatched reports it matched the key given to [WithKey].
	KeyMatched bool `json:"key_matched"`
	// Behavior names the behaviour that answered.
	Behavior string `json:"behavior"`
}

// Option configures a Server.
type Option func(*Server)

// WithKey makes the server require this key ("Authorization: Bearer <key>"
// or "api-key: <key>"); other keys get 401. Only a hash of it is kept.
func WithKey(key string) Option {
	return func(s *Server) { h := sha256.Sum256([]byte(key)); s.keyHash = &h }
}

// WithoutAuth lets requests without any authorization header through (as a
// local server would); by default they get 401 and are noted in Problems.
func WithoutAuth() Option { return func(s *Server) { s.allowNoAuth = true } }

// WithResponder answers every request the queue does not cover with
// fn(messages), prefixed with [Label].
func WithResponder(fn func(messages []Message) string) Option {
	return func(s *Server) { s.responder = fn }
}

// Server is the fake endpoint. It is safe for concurrent use.
type Server struct {
	srv         *httptest.Server
	keyHash     *[32]byte
	allowNoAuth bool
	responder   func([]Message) string

	mu       sync.Mutex
	queue    []Behavior
	requests []Request
	problems []string
	n        int
}

// New starts a server; Close it when done.
func New(opts ...Option) *Server {
	s := &Server{}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// NewResponder starts a server that answers every request with fn(messages),
// labelled as canned, and accepts requests without a key.
func NewResponder(fn func(messages []Message) string) *Server {
	return New(WithResponder(fn), WithoutAuth())
}

// URL returns the base URL to give a client (it ends in "/v1").
func (s *Server) URL() string { return s.srv.URL + "/v1" }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Push appends behaviours to the queue; each request takes the next one.
func (s *Server) Push(b ...Behavior) {
	s.mu.Lock()
	s.queue = append(s.queue, b...)
	s.mu.Unlock()
}

// Pending returns how many queued behaviours are left.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Problems returns protocol problems seen: requests without authorization,
// bodies that are not chat requests, requests after the queue ran out.
func (s *Server) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.problems...)
}

func (s *Server) problem(format string, args ...any) {
	s.mu.Lock()
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		s.problem("unexpected %s %s", r.Method, r.URL.Path)
		writeError(w, http.StatusNotFound, "llmtest: only POST .../chat/completions is served", "")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err != nil {
		s.problem("reading body: %v", err)
		writeError(w, http.StatusBadRequest, "llmtest: unreadable body", "")
		return
	}
	var cr struct {
		Model       string    `json:"model"`
		Messages    []Message `json:"messages"`
		Temperature *float64  `json:"temperature"`
		MaxTokens   int       `json:"max_tokens"`
	}
	if err := json.Unmarshal(body, &cr); err != nil {
		s.problem("body is not a chat request: %v", err)
		writeError(w, http.StatusBadRequest, "llmtest: the body is not a chat request", "")
		return
	}
	req := Request{Path: r.URL.Path, Model: cr.Model, Messages: cr.Messages, Temperature: cr.Temperature, MaxTokens: cr.MaxTokens}
	token := ""
	if a := r.Header.Get("Authorization"); a != "" {
		req.Authorized = true
		token = strings.TrimSpace(strings.TrimPrefix(a, "Bearer "))
	} else if k := r.Header.Get("api-key"); k != "" {
		req.Authorized = true
		token = k
	}
	if s.keyHash != nil {
		h := sha256.Sum256([]byte(token))
		req.KeyMatched = req.Authorized && subtle.ConstantTimeCompare(h[:], s.keyHash[:]) == 1
	}

	s.mu.Lock()
	s.n++
	n := s.n
	var b Behavior
	scripted := len(s.queue) > 0
	if scripted {
		b = s.queue[0]
		s.queue = s.queue[1:]
	}
	s.mu.Unlock()

	switch {
	case !req.Authorized && !s.allowNoAuth:
		s.problem("request %d: no Authorization header", n)
		b = Unauthorized()
		b.Name = "401 (no key)"
		b.Content = "You did not provide an API key."
	case s.keyHash != nil && !req.KeyMatched:
		b = Unauthorized()
		b.Name = "401 (wrong key)"
	case !scripted && s.responder != nil:
		b = Behavior{Name: "responder", Content: Label + "\n" + s.responder(cr.Messages)}
	case !scripted:
		s.problem("request %d: no scripted behaviour left", n)
		b = ServerError(http.StatusInternalServerError)
		b.Name = "queue empty"
		b.Content = "llmtest: no scripted behaviour left"
	}
	if b.Name == "" {
		b.Name = "custom"
	}
	req.Behavior = b.Name
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()

	if b.Delay > 0 {
		t := time.NewTimer(b.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if b.RetryAfter != "" {
		w.Header().Set("Retry-After", b.RetryAfter)
	}
	if b.Status != 0 && b.Status != http.StatusOK {
		writeError(w, b.Status, b.Content, b.Name)
		return
	}
	writeReply(w, n, b, cr.Messages)
}

func writeError(w http.ResponseWriter, status int, msg, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "llmtest_error", "code": code}})
}

func writeReply(w http.ResponseWriter, n int, b Behavior, msgs []Message) {
	prompt := b.PromptTokens
	if prompt == 0 {
		for _, m := range msgs {
			prompt += len(m.Content)/4 + 4
		}
	}
	completion := b.CompletionTokens
	if completion == 0 {
		completion = len(b.Content)/4 + 1
	}
	finish := b.FinishReason
	if finish == "" {
		finish = "stop"
	}
	choices := []any{map[string]any{
		"index":         0,
		"message":       map[string]any{"role": "assistant", "content": b.Content},
		"finish_reason": finish,
	}}
	if b.NoChoices {
		choices = []any{}
	}
	body, _ := json.Marshal(map[string]any{
		"id":      fmt.Sprintf("chatcmpl-nasnb-fake-%d", n),
		"object":  "chat.completion",
		"created": 0,
		"model":   Model,
		"choices": choices,
		"usage":   map[string]any{"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
	})
	w.Header().Set("Content-Type", "application/json")
	if b.CutBody {
		body = body[:len(body)/2]
	}
	_, _ = w.Write(body)
}
