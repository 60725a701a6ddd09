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
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/internal/scrub"
	"github.com/nasnb/nasnb/lapt/space"
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
	DefaultLearnTopK = 50
	// DefaultAdaptTopK is how many target architectures an adapt prompt shows
	// when the request does not say (LAPT on NB201: 5).
	DefaultAdaptTopK = 5
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

//go:embed prompts/*.tmpl
var promptFS embed.FS

var prompts = template.Must(template.New("prompts").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
}).ParseFS(promptFS, "prompts/*.tmpl"))

// archLine is one architecture in a prompt.
type archLine struct {
	Rank   int
	Ops    string
	Metric string
	Score  string
}

type sourceData struct {
	Task, Metric string
	Count        int
	Archs        []archLine
}

type edgeLine struct {
	Index int
	Label string
	Ops   string
}

// promptData feeds the prompt templates.
type promptData struct {
	Describe           string
	NumEdges           int
	LastEdge, LastOp   int
	MaxOps             int
	Cell               bool
	Example            string
	Sources            []sourceData
	Found              []archLine
	Count              int
	CurrentAllowed     []edgeLine
	CurrentStatements  []string
	OriginalStatements []string
	Evaluations        int
	Fresh              bool
	Error              string
	// Target is the target evidence per edge and op (adaptation only).
	Target []targetLine
}

// targetLine is one edge of the target evidence: "op id (name) n/best".
type targetLine struct {
	Index int
	Label string
	Ops   string
}

// targetLines renders the target evidence of the found architectures: per
// edge, each op tried with how often and its best score, marking ops that
// the allowed set excludes (tried by the escape hatch or an earlier space).
func targetLines(root *space.Space, allowed [][]int, found []reason.Scored) []targetLine {
	var out []targetLine
	for e, row := range reason.TargetEvidence(root, found) {
		var parts []string
		for _, t := range row {
			if t.Tried == 0 {
				continue
			}
			mark := ""
			if e < len(allowed) && !slices.Contains(allowed[e], t.Op) {
				mark = " (not allowed now)"
			}
			parts = append(parts, fmt.Sprintf("%d %s: %d tried, best %s%s", t.Op, root.OpName(t.Op), t.Tried, scoreText(t.Best), mark))
		}
		if len(parts) == 0 {
			parts = []string{"nothing tried yet"}
		}
		out = append(out, targetLine{Index: e, Label: root.EdgeLabel(e), Ops: strings.Join(parts, "; ")})
	}
	return out
}

func newPromptData(root *space.Space, maxOps int) promptData {
	var ex strings.Builder
	ex.WriteString("{")
	for i := 0; i < root.NumEdges(); i++ {
		if i > 0 {
			ex.WriteString(", ")
		}
		fmt.Fprintf(&ex, `"%d": [<op ids>]`, i)
	}
	ex.WriteString("}")
	return promptData{
		Describe: root.Describe(),
		NumEdges: root.NumEdges(),
		LastEdge: root.NumEdges() - 1,
		LastOp:   len(root.Ops()) - 1,
		MaxOps:   maxOps,
		Cell:     root.Nodes() > 0,
		Example:  ex.String(),
	}
}

func render(name string, data any) (string, error) {
	var b strings.Builder
	if err := prompts.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("llm: rendering prompt %s: %w", name, err)
	}
	return b.String(), nil
}

func opsText(a space.Arch) string {
	ops := a.Ops()
	p := make([]string, len(ops))
	for i, o := range ops {
		p[i] = strconv.Itoa(o)
	}
	return "[" + strings.Join(p, ", ") + "]"
}

// namedIDs writes op ids with their names: "[3 (nor_conv_3x3), 1 (skip_connect)]".
func namedIDs(root *space.Space, ids []int) string {
	p := make([]string, len(ids))
	for i, id := range ids {
		p[i] = fmt.Sprintf("%d (%s)", id, root.OpName(id))
	}
	return "[" + strings.Join(p, ", ") + "]"
}

func scoreText(f float64) string { return strconv.FormatFloat(f, 'g', 6, 64) }

func archText(root *space.Space, s reason.Scored) string {
	if s.Text != "" {
		return s.Text
	}
	return root.Format(s.Arch)
}

// LearnPrompt returns the messages a learn request starts with (system and
// user), as they would be sent.
func LearnPrompt(req reason.LearnRequest) ([]reason.Message, []string, error) {
	if err := reason.CheckLearn(req); err != nil {
		return nil, nil, fmt.Errorf("llm: %w", err)
	}
	root := req.Space.Root()
	topK := req.TopK
	if topK <= 0 {
		topK = DefaultLearnTopK
	}
	data := newPromptData(root, req.MaxOpsPerEdge)
	var evidence []string
	for _, src := range req.Sources {
		ev := reason.Evidence{Task: src.Task, Metric: src.Metric, Archs: append([]reason.Scored(nil), src.Archs...)}
		ev.Sort()
		top := ev.Top(topK)
		sd := sourceData{Task: src.Task, Metric: src.Metric, Count: len(top)}
		if sd.Metric == "" {
			sd.Metric = "score"
		}
		if sd.Task == "" {
			sd.Task = "(unnamed)"
		}
		for i, s := range top {
			if err := root.Validate(s.Arch); err != nil {
				return nil, nil, fmt.Errorf("llm: source %s: architecture %d: %w", sd.Task, i+1, err)
			}
			sd.Archs = append(sd.Archs, archLine{Rank: i + 1, Ops: opsText(s.Arch), Metric: sd.Metric, Score: scoreText(s.Score)})
			evidence = append(evidence, archText(root, s))
		}
		data.Sources = append(data.Sources, sd)
	}
	sys, err := render("system.tmpl", data)
	if err != nil {
		return nil, nil, err
	}
	user, err := render("learn.tmpl", data)
	if err != nil {
		return nil, nil, err
	}
	return []reason.Message{{Role: "system", Content: strings.TrimSpace(sys)}, {Role: "user", Content: strings.TrimSpace(user)}}, evidence, nil
}

// AdaptPrompt returns the messages an adapt request sends: the request's
// conversation (or, when it is empty, a system message) followed by the new
// user message.
func AdaptPrompt(req reason.AdaptRequest) ([]reason.Message, []string, error) {
	if err := reason.CheckAdapt(req); err != nil {
		return nil, nil, fmt.Errorf("llm: %w", err)
	}
	root := req.Space.Root()
	topK := req.TopK
	if topK <= 0 {
		topK = DefaultAdaptTopK
	}
	data := newPromptData(root, req.MaxOpsPerEdge)
	data.Evaluations = req.Evaluations
	data.Fresh = len(req.Conversation) == 0
	data.CurrentStatements = req.Current.Statements
	data.OriginalStatements = req.Original.Statements
	if len(data.OriginalStatements) == 0 {
		data.OriginalStatements = req.Current.Statements
	}
	for i, al := range req.Current.Allowed {
		data.CurrentAllowed = append(data.CurrentAllowed, edgeLine{Index: i, Label: root.EdgeLabel(i), Ops: namedIDs(root, al)})
	}
	found := append([]reason.Scored(nil), req.Found...)
	ev := reason.Evidence{Archs: found}
	ev.Sort()
	var evidence []string
	for i, s := range ev.Top(topK) {
		if err := root.Validate(s.Arch); err != nil {
			return nil, nil, fmt.Errorf("llm: found architecture %d: %w", i+1, err)
		}
		data.Found = append(data.Found, archLine{Rank: i + 1, Ops: opsText(s.Arch), Metric: "score", Score: scoreText(s.Score)})
		evidence = append(evidence, archText(root, s))
	}
	data.Count = len(data.Found)
	data.Target = targetLines(root, req.Current.Allowed, found)
	name := "adapt_stalled.tmpl"
	if req.Improved {
		name = "adapt_improved.tmpl"
		if len(data.Found) == 0 {
			return nil, nil, errors.New("llm: adapt request (improved) without any found architecture to show")
		}
	}
	user, err := render(name, data)
	if err != nil {
		return nil, nil, err
	}
	msgs := append([]reason.Message(nil), req.Conversation...)
	if len(msgs) == 0 {
		sys, err := render("system.tmpl", data)
		if err != nil {
			return nil, nil, err
		}
		msgs = append(msgs, reason.Message{Role: "system", Content: strings.TrimSpace(sys)})
	}
	msgs = append(msgs, reason.Message{Role: "user", Content: strings.TrimSpace(user)})
	return msgs, evidence, nil
}

// ReaskPrompt returns the user message that sends a validation error back.
func ReaskPrompt(sp *space.Space, maxPerEdge int, verr error) (reason.Message, error) {
	data := newPromptData(sp.Root(), maxPerEdge)
	data.Error = strings.TrimRight(verr.Error(), ". ")
	s, err := render("reask.tmpl", data)
	if err != nil {
		return reason.Message{}, err
	}
	return reason.Message{Role: "user", Content: strings.TrimSpace(s)}, nil
}

// Learn derives principles from the source evidence. On error the returned
// Outcome still holds every exchange made (failed attempts included).
func (r *Reasoner) Learn(ctx context.Context, req reason.LearnRequest) (reason.Outcome, error) {
	msgs, evidence, err := LearnPrompt(req)
	if err != nil {
		return reason.Outcome{}, err
	}
	root := req.Space.Root()
	set, conv, exs, err := r.converseWithin(ctx, "learn", root, msgs, req.MaxOpsPerEdge)
	out := reason.Outcome{Conversation: conv, Exchanges: exs}
	if err != nil {
		return out, err
	}
	var tasks []string
	for _, s := range req.Sources {
		tasks = append(tasks, s.Task)
	}
	set.Reason = fmt.Sprintf("learned from %s by %s", strings.Join(tasks, "+"), r.name)
	set.Provenance = r.provenance(tasks, evidence, exs)
	out.Set = set
	return out, nil
}

// Adapt updates the principles from the target's results, continuing
// req.Conversation (the Learn outcome's or the previous Adapt's): the new
// user message and the reply are appended, and the updated conversation is
// returned. On error the Outcome still holds every exchange made.
func (r *Reasoner) Adapt(ctx context.Context, req reason.AdaptRequest) (reason.Outcome, error) {
	msgs, evidence, err := AdaptPrompt(req)
	if err != nil {
		return reason.Outcome{}, err
	}
	root := req.Space.Root()
	set, conv, exs, err := r.converseWithin(ctx, "adapt", root, msgs, req.MaxOpsPerEdge)
	out := reason.Outcome{Conversation: conv, Exchanges: exs}
	if err != nil {
		return out, err
	}
	if req.Improved {
		set.Reason = fmt.Sprintf("adapted after %d evaluations (best improved) by %s", req.Evaluations, r.name)
	} else {
		set.Reason = fmt.Sprintf("adapted after %d evaluations (no improvement: asked for other ops) by %s", req.Evaluations, r.name)
	}
	set.Provenance = r.provenance(req.Original.Provenance.Sources, evidence, exs)
	out.Set = set
	return out, nil
}

func (r *Reasoner) provenance(sources, evidence []string, exs []reason.Exchange) principles.Provenance {
	p := principles.Provenance{Reasoner: r.name, Model: r.cfg.Model, Temperature: r.cfg.Temperature,
		Sources: append([]string(nil), sources...), Evidence: evidence}
	seen := map[string]bool{}
	for _, e := range exs {
		if !seen[e.ID] {
			seen[e.ID] = true
			p.Exchanges = append(p.Exchanges, e.ID)
		}
	}
	return p
}

// converseWithin is converse under the TotalTimeout.
func (r *Reasoner) converseWithin(ctx context.Context, kind string, root *space.Space, msgs []reason.Message, maxOps int) (principles.Set, []reason.Message, []reason.Exchange, error) {
	tctx, cancel := context.WithTimeout(ctx, r.cfg.TotalTimeout)
	defer cancel()
	set, conv, exs, err := r.converse(tctx, kind, root, msgs, maxOps)
	if err != nil && ctx.Err() == nil && tctx.Err() != nil {
		err = fmt.Errorf("llm: %s: no valid reply within the total timeout of %v (Config.TotalTimeout; %v per attempt): %w",
			kind, r.cfg.TotalTimeout, r.cfg.Timeout, err)
	}
	return set, conv, exs, err
}

// converse sends msgs, parses the reply and re-asks with the validation
// error until the reply is valid or MaxReasks is spent.
func (r *Reasoner) converse(ctx context.Context, kind string, root *space.Space, msgs []reason.Message, maxOps int) (principles.Set, []reason.Message, []reason.Exchange, error) {
	var exs []reason.Exchange
	attempt := 0
	for reask := 0; ; reask++ {
		reply, finish, callExs, err := r.complete(ctx, kind, msgs, &attempt)
		exs = append(exs, callExs...)
		if err != nil {
			return principles.Set{}, msgs, exs, err
		}
		msgs = append(msgs, reason.Message{Role: "assistant", Content: reply})
		set, perr := ParseReply(root, reply, maxOps)
		if perr == nil {
			return set, msgs, exs, nil
		}
		note := "invalid reply: " + r.scrub(perr.Error())
		if finish == string(openai.FinishReasonLength) {
			note += " (the reply stopped at the token limit; raise MaxTokens)"
		}
		exs[len(exs)-1].Error = note
		if reask >= r.cfg.MaxReasks {
			return principles.Set{}, msgs, exs, fmt.Errorf("llm: %s: the model's reply is still invalid after %d re-ask(s): %s", kind, reask, r.scrub(perr.Error()))
		}
		m, err := ReaskPrompt(root, maxOps, perr)
		if err != nil {
			return principles.Set{}, msgs, exs, err
		}
		msgs = append(msgs, m)
	}
}

// exchangeID hashes the request: model, temperature and messages.
func exchangeID(model string, temp float64, msgs []reason.Message) string {
	b, _ := json.Marshal(struct {
		Model       string           `json:"model"`
		Temperature float64          `json:"temperature"`
		Messages    []reason.Message `json:"messages"`
	}{model, temp, msgs})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// complete sends one chat request, retrying transport faults. It returns the
// reply, the finish reason and one exchange per attempt.
func (r *Reasoner) complete(ctx context.Context, kind string, msgs []reason.Message, attempt *int) (string, string, []reason.Exchange, error) {
	req := openai.ChatCompletionRequest{
		Model:     r.cfg.Model,
		MaxTokens: r.cfg.MaxTokens,
		Seed:      r.cfg.Seed,
	}
	// go-openai omits a zero temperature (the server would then use its
	// default, often 1); the smallest float32 is sent as "temperature":1e-45.
	req.Temperature = float32(r.cfg.Temperature)
	if req.Temperature == 0 {
		req.Temperature = minTemperature
	}
	for _, m := range msgs {
		req.Messages = append(req.Messages, openai.ChatCompletionMessage{Role: m.Role, Content: m.Content})
	}
	id := exchangeID(r.cfg.Model, r.cfg.Temperature, msgs)
	var exs []reason.Exchange
	for retry := 0; ; retry++ {
		*attempt++
		ex := reason.Exchange{
			ID: id, Kind: kind, Model: r.cfg.Model, Temperature: r.cfg.Temperature, MaxTokens: r.cfg.MaxTokens,
			Messages: append([]reason.Message(nil), msgs...), Attempt: *attempt, Time: r.cfg.Now(),
		}
		if err := ctx.Err(); err != nil {
			ex.Error = "cancelled: " + err.Error()
			exs = append(exs, ex)
			return "", "", exs, fmt.Errorf("llm: %s cancelled: %w", kind, err)
		}
		actx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
		resp, err := r.client.CreateChatCompletion(actx, req)
		timedOut := actx.Err() == context.DeadlineExceeded && ctx.Err() == nil
		cancel()
		ex.Latency = r.cfg.Now().Sub(ex.Time)
		if err == nil {
			if resp.Model != "" {
				ex.Model = resp.Model
			}
			ex.PromptTokens = resp.Usage.PromptTokens
			ex.CompletionTokens = resp.Usage.CompletionTokens
			if len(resp.Choices) == 0 {
				err = errNoChoices
			}
		}
		if err == nil {
			ex.Reply = r.scrubKey(resp.Choices[0].Message.Content)
			exs = append(exs, ex)
			return ex.Reply, string(resp.Choices[0].FinishReason), exs, nil
		}
		f := r.classify(ctx, err, timedOut, resp.Header())
		ex.Error = f.msg
		exs = append(exs, ex)
		if cerr := ctx.Err(); cerr != nil {
			return "", "", exs, fmt.Errorf("llm: %s cancelled: %w", kind, cerr)
		}
		if !f.retry {
			return "", "", exs, fmt.Errorf("llm: %s: %s", kind, f.msg)
		}
		if retry >= r.cfg.MaxRetries {
			return "", "", exs, fmt.Errorf("llm: %s: giving up after %d attempts: %s", kind, retry+1, f.msg)
		}
		wait := r.backoff(retry)
		if f.retryAfter > 0 {
			if f.retryAfter > r.cfg.MaxWait {
				return "", "", exs, fmt.Errorf("llm: %s: %s; the server asks to wait %v, longer than MaxWait %v", kind, f.msg, f.retryAfter, r.cfg.MaxWait)
			}
			wait = max(wait, f.retryAfter)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return "", "", exs, fmt.Errorf("llm: %s: %s; waiting %v to retry would pass the total timeout (Config.TotalTimeout %v)", kind, f.msg, wait.Round(time.Millisecond), r.cfg.TotalTimeout)
		}
		if err := r.cfg.Sleep(ctx, wait); err != nil {
			return "", "", exs, fmt.Errorf("llm: %s cancelled while waiting to retry (%s): %w", kind, f.msg, err)
		}
	}
}

const minTemperature = 1e-45 // math.SmallestNonzeroFloat32

var errNoChoices = errors.New("the endpoint returned no choices")

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
