package llm

// Transport faults: the reply size cap, fault classification, Retry-After,
// backoff with jitter, and secret scrubbing of everything that is kept.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/nasnb/nasnb/lapt/reason/internal/scrub"
)

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ErrReplyTooLarge is wrapped by the error of a call whose reply body was
// larger than Config.MaxReplyBytes.
var ErrReplyTooLarge = errors.New("llm: reply too large")

// capTransport refuses reply bodies over max bytes: a declared length is
// checked before anything is read, and reading stops at max+1 bytes.
type capTransport struct {
	base http.RoundTripper
	max  int64
}

func (t *capTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if resp.ContentLength > t.max {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: the reply declares %d bytes", ErrReplyTooLarge, resp.ContentLength)
	}
	resp.Body = &capBody{rc: resp.Body, left: t.max}
	return resp, nil
}

// capBody fails with ErrReplyTooLarge once more than its limit is read.
type capBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *capBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, ErrReplyTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return 0, ErrReplyTooLarge
	}
	return n, err
}

func (b *capBody) Close() error { return b.rc.Close() }

type fault struct {
	msg        string
	retry      bool
	retryAfter time.Duration
}

// classify turns a client error into a clear, key-free message and says
// whether to retry.
func (r *Reasoner) classify(ctx context.Context, err error, timedOut bool, h http.Header) fault {
	status, server := 0, ""
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.As(err, &apiErr):
		status, server = apiErr.HTTPStatusCode, apiErr.Message
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
		server = strings.TrimSpace(string(reqErr.Body))
	}
	server = r.scrub(truncateRunes(strings.Join(strings.Fields(server), " "), 300))
	said := ""
	if server != "" {
		said = " (server said: " + server + ")"
	}
	base := r.cfg.BaseURL
	if base == "" {
		base = "the OpenAI API"
	}
	base = r.scrub(scrub.URL(base))
	switch {
	case ctx.Err() != nil:
		return fault{msg: "cancelled: " + ctx.Err().Error()}
	case status == http.StatusTooManyRequests:
		return fault{msg: "429 rate limited" + said, retry: true, retryAfter: r.retryAfter(h)}
	case status >= 500 || status == http.StatusRequestTimeout || status == http.StatusConflict:
		return fault{msg: fmt.Sprintf("HTTP %d server error%s", status, said), retry: true, retryAfter: r.retryAfter(h)}
	case status == http.StatusUnauthorized:
		if r.key == "" {
			return fault{msg: fmt.Sprintf("401 unauthorized: no API key was sent; set %s%s", r.cfg.APIKeyEnv, said)}
		}
		return fault{msg: fmt.Sprintf("401 unauthorized: check %s (the endpoint rejected the key)%s", r.cfg.APIKeyEnv, said)}
	case status == http.StatusForbidden:
		return fault{msg: fmt.Sprintf("403 forbidden: the key in %s may not use model %q%s", r.cfg.APIKeyEnv, r.cfg.Model, said)}
	case status == http.StatusNotFound:
		return fault{msg: fmt.Sprintf("404 not found: check the base URL (%s) and the model name %q%s", base, r.cfg.Model, said)}
	case status > 0:
		return fault{msg: fmt.Sprintf("HTTP %d: request rejected%s", status, said)}
	case timedOut:
		return fault{msg: fmt.Sprintf("timeout: no reply within %v", r.cfg.Timeout), retry: true}
	case errors.Is(err, openai.ErrChatCompletionInvalidModel), errors.Is(err, openai.ErrChatCompletionStreamNotSupported),
		errors.Is(err, openai.ErrReasoningModelMaxTokensDeprecated), errors.Is(err, openai.ErrReasoningModelLimitationsOther):
		return fault{msg: "request refused by the client library: " + r.scrub(err.Error())}
	case errors.Is(err, errNoChoices):
		return fault{msg: err.Error(), retry: true}
	case errors.Is(err, ErrReplyTooLarge):
		return fault{msg: fmt.Sprintf("reply too large: more than %d bytes (Config.MaxReplyBytes); nothing of it was kept", r.cfg.MaxReplyBytes)}
	}
	return fault{msg: "transport error: " + r.scrub(truncateRunes(err.Error(), 300)), retry: true}
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func (r *Reasoner) retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 || s != s {
			return 0
		}
		if s > 1e6 {
			// Beyond any MaxWait: the call fails at once instead of
			// ignoring the header and retrying.
			return time.Duration(1e6) * time.Second
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(r.cfg.Now()); d > 0 {
			return d
		}
	}
	return 0
}

// backoff returns the wait before retry number retry (from 0): BaseDelay
// doubled per retry, capped at MaxDelay, drawn uniformly in [d/2, d].
func (r *Reasoner) backoff(retry int) time.Duration {
	d := r.cfg.BaseDelay
	for i := 0; i < retry && d < r.cfg.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, r.cfg.MaxDelay)
	half := d / 2
	r.mu.Lock()
	j := time.Duration(r.rng.Int64N(int64(d-half) + 1))
	r.mu.Unlock()
	return half + j
}

// scrubKey removes the API key and the base URL's credentials (and
// nothing else) from s.
func (r *Reasoner) scrubKey(s string) string {
	return scrub.Values(s, r.secrets...)
}

// scrub removes the API key, the base URL's credentials and anything that
// looks like a key or a URL credential.
func (r *Reasoner) scrub(s string) string {
	return scrub.Secrets(r.scrubKey(s))
}

// ScrubSecrets replaces anything in s that looks like an API key, an
// authorization header value or a URL credential ("sk-...", "Bearer ...",
// "api-key: ...", "http://user:password@host") with "[redacted]".
func ScrubSecrets(s string) string { return scrub.Secrets(s) }
