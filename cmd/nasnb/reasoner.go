package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/llm"
	"github.com/nasnb/nasnb/lapt/reason/offline"
)

// reasonerFlags are the flags that choose and configure a reasoner.
type reasonerFlags struct {
	kind, model, baseURL, keyEnv, record, replay string
	temperature                                  float64
	maxTokens                                    int
	timeout, totalTimeout                        time.Duration
}

// Numeric reasoner flags: checked by the commands that add them.
var (
	reasonerPositive    = []string{"timeout", "total-timeout"}
	reasonerNonNegative = []string{"temperature", "max-tokens"}
)

func addReasonerFlags(fs *flag.FlagSet) *reasonerFlags {
	r := &reasonerFlags{}
	fs.StringVar(&r.kind, "reasoner", "offline", "reasoner: offline (statistics, no LLM), frequency (baseline), openai (any OpenAI-compatible endpoint) or replay")
	fs.StringVar(&r.model, "model", "gpt-4o", "LLM model (openai)")
	fs.StringVar(&r.baseURL, "base-url", "", "OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 for Ollama (default: OpenAI's)")
	fs.StringVar(&r.keyEnv, "api-key-env", "OPENAI_API_KEY", "environment variable holding the API key (never logged or recorded)")
	fs.Float64Var(&r.temperature, "temperature", 0, "LLM temperature")
	fs.IntVar(&r.maxTokens, "max-tokens", 0, "LLM max tokens per reply (0: endpoint default)")
	fs.DurationVar(&r.timeout, "timeout", llm.DefaultTimeout, "LLM timeout per attempt")
	fs.DurationVar(&r.totalTimeout, "total-timeout", llm.DefaultTotalTimeout, "LLM timeout per principle call: every attempt, retry wait and re-ask")
	fs.StringVar(&r.record, "record", "", "record every reasoner exchange to this file (and serve repeats from it)")
	fs.StringVar(&r.replay, "replay", "", "replay exchanges from this file, offline (with --reasoner replay)")
	return r
}

func (f *reasonerFlags) build() (reason.Reasoner, error) {
	var r reason.Reasoner
	switch f.kind {
	case "offline":
		r = offline.New()
	case "frequency":
		r = offline.Frequency{}
	case "openai", "llm":
		l, err := llm.New(llm.Config{BaseURL: f.baseURL, Model: f.model, Temperature: f.temperature, MaxTokens: f.maxTokens, Timeout: f.timeout, TotalTimeout: f.totalTimeout, APIKeyEnv: f.keyEnv})
		if err != nil {
			return nil, err
		}
		r = l
	case "replay":
		if f.replay == "" {
			return nil, usagef("--reasoner replay needs --replay FILE")
		}
		return openReplay(f.replay)
	default:
		return nil, usagef("unknown --reasoner %q (want offline, frequency, openai or replay)", f.kind)
	}
	if f.record != "" {
		return wrapRecord(r, f.record)
	}
	return r, nil
}

var (
	// openReplay and wrapRecord are set by replay.go when record/replay is built in.
	openReplay = func(path string) (reason.Reasoner, error) {
		return nil, fmt.Errorf("replay is not available in this build")
	}
	wrapRecord = func(r reason.Reasoner, path string) (reason.Reasoner, error) {
		return nil, fmt.Errorf("recording is not available in this build")
	}
)
