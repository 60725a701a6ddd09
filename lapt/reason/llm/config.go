// Package llm is the LLM reasoner of nasnb: it learns and adapts design
// principles by chatting with any OpenAI-compatible chat-completions endpoint
// (OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp server, ...).
//
// The prompts follow the LAPT method: the system role is an expert in neural
// network design; the learn prompt shows the search space written as code and
// the top architectures of the source tasks as op-id lists with their scores,
// and asks step by step for (a) an analysis of the information flow, (b) the
// common patterns, (c) design principles and (d) the available op ids per
// edge, ending with a JSON block. Adaptation continues one conversation.
// Replies are parsed tolerantly and validated strictly ([ParseReply]); an
// invalid reply is sent back with the exact validation error.
//
// Transport faults (timeouts, 429, 5xx, cut or garbled bodies) are retried
// with exponential backoff and jitter; 400, 401, 403 and 404 fail at once with
// a clear error. The API key is read from an environment variable and never
// appears in errors or in recorded exchanges.
package llm

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/nasnb/nasnb/lapt/paper"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/internal/scrub"
)

// Defaults of [Config].
const (
	DefaultAPIKeyEnv  = "OPENAI_API_KEY"
	DefaultTimeout    = 30 * time.Second
	DefaultMaxRetries = 4
	DefaultMaxReasks  = 2
	DefaultBaseDelay  = time.Second
	DefaultMaxDelay   = 30 * time.Second
	DefaultMaxWait    = time.Minute
	// DefaultTotalTimeout bounds one Learn or Adapt call, every attempt,
	// wait and re-ask included.
	DefaultTotalTimeout = 3 * time.Minute
	// DefaultMaxReplyBytes caps the HTTP body of one reply (1 MiB: a
	// principle reply is a few KB).
	DefaultMaxReplyBytes = 1 << 20
	// DefaultLearnTopK is how many source architectures a learn prompt shows
	// when the request does not say (LAPT: 50).
	DefaultLearnTopK = paper.LearnTopK
	// DefaultAdaptTopK is how many target architectures an adapt prompt shows
	// when the request does not say (LAPT on NB201: 5).
	DefaultAdaptTopK = paper.AdaptTopK
)

// Config configures the LLM reasoner.
type Config struct {
	// BaseURL is the endpoint's API root, e.g. "http://localhost:11434/v1"
	// for Ollama; empty means OpenAI's public API. For Azure it is the
	// resource URL.
	BaseURL string
	// Model is the model (or Azure deployment) name; required.
	Model string
	// Temperature is the sampling temperature (LAPT uses 0 on NB201). A zero
	// temperature is sent explicitly.
	Temperature float64
	// MaxTokens caps the reply length (0 = the endpoint's default).
	MaxTokens int
	// Seed, when set, is sent as the request's seed (endpoints that support
	// it sample reproducibly).
	Seed *int
	// Timeout bounds one attempt (default 30 s).
	Timeout time.Duration
	// TotalTimeout bounds one Learn or Adapt call: all attempts, waits
	// between them and re-asks (default 3 minutes). A Retry-After that
	// would end past it fails the call at once.
	TotalTimeout time.Duration
	// MaxReplyBytes caps the size of one HTTP reply body (default 1 MiB). A
	// larger reply fails the attempt before any of it is kept: nothing of
	// it reaches the conversation, the exchanges or a record. It is not
	// retried.
	MaxReplyBytes int64
	// MaxRetries is how many times a failed request is retried after a
	// timeout, a 429, a 5xx or a transport error (0 = default 4, negative =
	// never).
	MaxRetries int
	// MaxReasks is how many times an invalid reply is sent back with its
	// validation error (0 = default 2, negative = never).
	MaxReasks int
	// BaseDelay and MaxDelay shape the exponential backoff between retries
	// (defaults 1 s and 30 s); each wait is drawn in [d/2, d].
	BaseDelay, MaxDelay time.Duration
	// MaxWait is the longest Retry-After the reasoner honours (default 1
	// minute); a longer one (or one past TotalTimeout) fails the call at
	// once, without retrying.
	MaxWait time.Duration
	// APIKeyEnv names the environment variable holding the API key (default
	// OPENAI_API_KEY). An empty or unset variable is allowed: local servers
	// need no key.
	APIKeyEnv string
	// HTTPClient is used for the requests (default: a new http.Client; the
	// per-attempt Timeout applies through the context).
	HTTPClient *http.Client
	// Azure selects Azure OpenAI: BaseURL is the resource URL, Model the
	// deployment name, and the key is sent in the api-key header.
	Azure bool
	// APIVersion is the Azure API version (default go-openai's).
	APIVersion string
	// Name overrides the reasoner's name (default "openai(<model>,t=<temp>)").
	Name string
	// Sleep waits between retries; tests inject a fake. Default: a timer
	// that stops early when ctx is done.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock used for exchange times, latencies and HTTP-date
	// Retry-After values (default time.Now).
	Now func() time.Time
	// JitterSeed seeds the backoff jitter (0 = seeded from the clock).
	JitterSeed uint64
}

// Reasoner is the LLM reasoner. It implements reason.Reasoner and is safe
// for concurrent use.
type Reasoner struct {
	cfg     Config
	client  *openai.Client
	key     string
	secrets []string // the key and the base URL's credentials, masked everywhere
	name    string

	mu  sync.Mutex
	rng *rand.Rand
}

var _ reason.Reasoner = (*Reasoner)(nil)

// New returns an LLM reasoner. The API key is read from the environment
// variable cfg.APIKeyEnv (default OPENAI_API_KEY); it may be empty for local
// servers.
func New(cfg Config) (*Reasoner, error) {
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, errors.New("llm: Config.Model is empty: name the model (or Azure deployment) to use")
	}
	if cfg.Temperature < 0 || cfg.Temperature > 2 {
		return nil, fmt.Errorf("llm: temperature %g out of range 0..2", cfg.Temperature)
	}
	if cfg.APIKeyEnv == "" {
		cfg.APIKeyEnv = DefaultAPIKeyEnv
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.TotalTimeout <= 0 {
		cfg.TotalTimeout = DefaultTotalTimeout
	}
	if cfg.MaxReplyBytes <= 0 {
		cfg.MaxReplyBytes = DefaultMaxReplyBytes
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	switch {
	case cfg.MaxReasks == 0:
		cfg.MaxReasks = DefaultMaxReasks
	case cfg.MaxReasks < 0:
		cfg.MaxReasks = 0
	}
	if cfg.BaseDelay <= 0 {
		cfg.BaseDelay = DefaultBaseDelay
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = DefaultMaxDelay
	}
	if cfg.MaxDelay < cfg.BaseDelay {
		cfg.MaxDelay = cfg.BaseDelay
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = DefaultMaxWait
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	key := os.Getenv(cfg.APIKeyEnv)
	var oc openai.ClientConfig
	if cfg.Azure {
		if cfg.BaseURL == "" {
			return nil, errors.New("llm: Azure needs Config.BaseURL (the resource URL)")
		}
		oc = openai.DefaultAzureConfig(key, cfg.BaseURL)
		if cfg.APIVersion != "" {
			oc.APIVersion = cfg.APIVersion
		}
	} else {
		oc = openai.DefaultConfig(key)
		if cfg.BaseURL != "" {
			oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
		}
	}
	hc := *cfg.HTTPClient // a copy: the caller's client is left as it was
	hc.Transport = &capTransport{base: hc.Transport, max: cfg.MaxReplyBytes}
	oc.HTTPClient = &hc
	seed := cfg.JitterSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	r := &Reasoner{cfg: cfg, client: openai.NewClientWithConfig(oc), key: key, rng: rand.New(rand.NewPCG(seed, 0x6c6c6d))}
	if len(key) >= 8 {
		r.secrets = append(r.secrets, key)
	}
	r.secrets = append(r.secrets, scrub.URLSecrets(cfg.BaseURL)...)
	r.name = cfg.Name
	if r.name == "" {
		r.name = fmt.Sprintf("openai(%s,t=%s)", cfg.Model, strconv.FormatFloat(cfg.Temperature, 'g', -1, 64))
	}
	return r, nil
}

// Name returns the reasoner's name, e.g. "openai(gpt-4o,t=0)".
func (r *Reasoner) Name() string { return r.name }

// Config returns the configuration in force (defaults filled in). It holds
// no API key.
func (r *Reasoner) Config() Config { return r.cfg }
