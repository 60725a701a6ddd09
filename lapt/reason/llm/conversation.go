package llm

// The conversation: Learn and Adapt, re-asking on invalid replies, and one
// recorded exchange per completion.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/space"
)

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
	set.Version = 1 // Learn returns the first version
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
		timedOut := errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
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
