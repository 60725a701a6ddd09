// Package reason defines reasoners: what turns evidence (well-performing
// architectures of source tasks, and later the target's own results) into
// design principles.
//
// A reasoner sees only what its request carries. [LearnRequest] holds the
// source tasks' evidence and nothing of the target; [AdaptRequest] holds the
// target trials the search has already paid for. There are three kinds:
// an LLM reasoner (package llm, any OpenAI-compatible endpoint), a
// deterministic offline reasoner that derives principles from statistics
// (package offline), and a recorder/replayer that wraps either (package
// replay).
package reason

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/space"
)

// Scored is an architecture with a score (higher is better).
type Scored struct {
	Arch  space.Arch `json:"arch"`
	Text  string     `json:"text"`
	Score float64    `json:"score"`
}

// Evidence is what a reasoner may see of one task: architectures with their
// validation scores, best first. Learning uses the top of the list; a
// statistical reasoner may also contrast it with the rest.
type Evidence struct {
	// Task names the source task, e.g. "imagenet16-120".
	Task string `json:"task"`
	// Metric names the score, e.g. "val_acc_200".
	Metric string `json:"metric"`
	// Archs are sorted best first.
	Archs []Scored `json:"archs"`
}

// Sort orders the architectures best first (ties by text, for determinism).
func (e *Evidence) Sort() {
	sort.SliceStable(e.Archs, func(i, j int) bool {
		if e.Archs[i].Score != e.Archs[j].Score {
			return e.Archs[i].Score > e.Archs[j].Score
		}
		return e.Archs[i].Text < e.Archs[j].Text
	})
}

// Top returns the k best architectures (all when k <= 0 or larger).
func (e Evidence) Top(k int) []Scored {
	if k <= 0 || k > len(e.Archs) {
		k = len(e.Archs)
	}
	return e.Archs[:k]
}

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Exchange is one request/reply with an LLM (or a reasoner), as recorded.
// It never holds an API key or an authorization header.
type Exchange struct {
	// ID is a hash of the request (model, temperature, messages).
	ID          string    `json:"id"`
	Kind        string    `json:"kind"` // "learn" or "adapt"
	Model       string    `json:"model,omitempty"`
	Temperature float64   `json:"temperature"`
	MaxTokens   int       `json:"max_tokens,omitempty"`
	Messages    []Message `json:"messages"`
	Reply       string    `json:"reply"`
	// PromptTokens and CompletionTokens are the usage the endpoint reported.
	PromptTokens     int           `json:"prompt_tokens"`
	CompletionTokens int           `json:"completion_tokens"`
	Latency          time.Duration `json:"latency_ns"`
	// Attempt numbers the tries for one request (re-asks and retries).
	Attempt int `json:"attempt"`
	// Error is the validation or transport error of this attempt, if any.
	Error string    `json:"error,omitempty"`
	Time  time.Time `json:"time"`
}

// LearnRequest asks for principles from source-task evidence.
type LearnRequest struct {
	// Space is the (full) search space.
	Space *space.Space `json:"-"`
	// Sources are the source tasks' evidence. Nothing else is shown.
	Sources []Evidence `json:"sources"`
	// TopK is how many top architectures per source to show (LAPT: 50).
	TopK int `json:"top_k"`
	// MaxOpsPerEdge caps the suggested ops per edge (NB201: 2, TransNAS: 3).
	MaxOpsPerEdge int `json:"max_ops_per_edge"`
	// Budget is the number of target evaluations the search will pay for
	// (0: unknown). A reasoner may size the refined space to it. It is not
	// part of the recorded request (replay keys do not depend on it).
	Budget int `json:"-"`
}

// AdaptRequest asks to update principles from the target's results so far.
type AdaptRequest struct {
	Space *space.Space `json:"-"`
	// Original is the set learned from the sources; Current the one in force.
	Original principles.Set `json:"original"`
	Current  principles.Set `json:"current"`
	// Improved reports whether the best score improved since the last check.
	Improved bool `json:"improved"`
	// Found are the target architectures evaluated so far, best first
	// (paid for by the search); TopK of them are shown.
	Found []Scored `json:"found"`
	TopK  int      `json:"top_k"`
	// MaxOpsPerEdge caps the suggested ops per edge.
	MaxOpsPerEdge int `json:"max_ops_per_edge"`
	// Evaluations is how many evaluations the search has made.
	Evaluations int `json:"evaluations"`
	// Budget is the run's evaluation budget (0: unknown); not part of the
	// recorded request.
	Budget int `json:"-"`
	// Exhausted reports that the search found nothing new to evaluate in
	// the current space (the request must widen it); not part of the
	// recorded request.
	Exhausted bool `json:"-"`
	// Conversation is the chat so far (LLM reasoners continue it).
	Conversation []Message `json:"conversation,omitempty"`
}

// Outcome is a reasoner's answer.
type Outcome struct {
	// Set is the new principle set: version 1 from Learn; an adapted set's
	// Version is assigned by the caller's history.
	Set principles.Set `json:"set"`
	// Conversation is the chat after this answer (empty for non-chat reasoners).
	Conversation []Message `json:"conversation,omitempty"`
	// Exchanges are the LLM calls made, failed attempts included.
	Exchanges []Exchange `json:"exchanges,omitempty"`
}

// Reasoner learns and adapts design principles.
type Reasoner interface {
	// Name identifies the reasoner and its settings, e.g. "offline" or
	// "openai(gpt-4o,t=0)".
	Name() string
	// Learn derives principles from source evidence; the set is the first
	// version (Set.Version 1).
	Learn(ctx context.Context, req LearnRequest) (Outcome, error)
	// Adapt updates principles from the target's results.
	Adapt(ctx context.Context, req AdaptRequest) (Outcome, error)
}

// CheckLearn validates a learn request.
func CheckLearn(req LearnRequest) error {
	if req.Space == nil {
		return fmt.Errorf("reason: learn request without a space")
	}
	if len(req.Sources) == 0 {
		return fmt.Errorf("reason: learn request without source evidence")
	}
	for _, s := range req.Sources {
		if len(s.Archs) == 0 {
			return fmt.Errorf("reason: source %q has no architectures", s.Task)
		}
	}
	return nil
}

// CheckAdapt validates an adapt request.
func CheckAdapt(req AdaptRequest) error {
	if req.Space == nil {
		return fmt.Errorf("reason: adapt request without a space")
	}
	if len(req.Current.Allowed) != req.Space.Root().NumEdges() {
		return fmt.Errorf("reason: adapt request: current principles cover %d edges, space has %d", len(req.Current.Allowed), req.Space.Root().NumEdges())
	}
	return nil
}
