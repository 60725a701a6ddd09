package llm_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/llm"
	"github.com/nasnb/nasnb/lapt/reason/llm/llmtest"
	"github.com/nasnb/nasnb/lapt/space"
)

// A learn call against nasnb's fake server, whose replies are canned and
// labelled as such (no language model is involved). Point BaseURL at a real
// endpoint (OpenAI, vLLM, Ollama, ...) to ask a model instead.
func ExampleNew() {
	srv := llmtest.NewResponder(llmtest.FrequencyResponder(2))
	defer srv.Close()

	r, err := llm.New(llm.Config{BaseURL: srv.URL(), Model: "any-model", APIKeyEnv: "NASNB_EXAMPLE_NO_KEY"})
	if err != nil {
		panic(err)
	}
	sp := space.NB201()
	ev := reason.Evidence{Task: "imagenet16-120", Metric: "val_acc_200"}
	for i, ops := range [][]int{{3, 3, 3, 1, 3, 3}, {3, 3, 1, 1, 3, 3}, {3, 2, 3, 1, 2, 3}} {
		a := space.MustArch(ops...)
		ev.Archs = append(ev.Archs, reason.Scored{Arch: a, Text: sp.Format(a), Score: 46.5 - float64(i)})
	}
	out, err := r.Learn(context.Background(), reason.LearnRequest{Space: sp, Sources: []reason.Evidence{ev}, TopK: 50, MaxOpsPerEdge: 2})
	if err != nil {
		panic(err)
	}
	ex := out.Exchanges[0]
	fmt.Println(r.Name())
	fmt.Println(ex.Model, strings.HasPrefix(ex.Reply, llmtest.Label))
	fmt.Println(out.Set.Allowed)
	// Output:
	// openai(any-model,t=0)
	// nasnb-fake-llm true
	// [[3] [3 2] [3 1] [1] [3 2] [3]]
}

func ExampleParseReply() {
	reply := "The top cells put 3x3 convolutions into the output node.\n" +
		"{'principles': ['Use 3x3 convolutions into the output node.'], " +
		"'allowed': {'0->1': ('conv3x3', 'skip'), 'edge 1': [3], 2: [3, 1], 3: [1], 4: [3, 2], 5: [3],}}"
	set, err := llm.ParseReply(space.NB201(), reply, 2)
	fmt.Println(set.Allowed, set.Statements, err)

	_, err = llm.ParseReply(space.NB201(), `{"allowed": [[3], [3], [3], [7], [3], [3]]}`, 2)
	fmt.Println(err)
	// Output:
	// [[3 1] [3] [3 1] [1] [3 2] [3]] [Use 3x3 convolutions into the output node.] <nil>
	// edge 3 (0->3): op id 7 out of range 0..4
}
