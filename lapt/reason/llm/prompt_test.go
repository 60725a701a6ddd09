package llm

import (
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/space"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// fixedNB201 is a small fixed list of NB201 cells (op ids per edge).
var fixedNB201 = [][]int{
	{3, 3, 3, 1, 3, 3}, {3, 3, 1, 1, 3, 3}, {3, 2, 3, 1, 3, 3}, {3, 3, 3, 1, 2, 3},
	{2, 3, 3, 1, 3, 3}, {3, 3, 3, 3, 3, 3}, {3, 1, 3, 1, 3, 2}, {3, 3, 2, 1, 3, 3},
	{3, 3, 3, 2, 3, 3}, {3, 4, 3, 1, 3, 3},
}

// nb201Source builds a deterministic "imagenet16-120 top-50": the fixed list
// and, after it, single-edge variants of it, with decreasing scores.
func nb201Source() reason.Evidence {
	sp := space.NB201()
	ev := reason.Evidence{Task: "imagenet16-120", Metric: "val_acc_200"}
	seen := map[space.Arch]bool{}
	add := func(a space.Arch) {
		if seen[a] || len(ev.Archs) >= 50 {
			return
		}
		seen[a] = true
		ev.Archs = append(ev.Archs, reason.Scored{Arch: a, Text: sp.Format(a), Score: 46.8 - 0.11*float64(len(ev.Archs))})
	}
	for _, ops := range fixedNB201 {
		add(space.MustArch(ops...))
	}
	for _, ops := range fixedNB201 {
		for e := 0; e < 6; e++ {
			for _, op := range []int{1, 2, 3} {
				b := append([]int(nil), ops...)
				b[e] = op
				add(space.MustArch(b...))
			}
		}
	}
	return ev
}

// transSource is a deterministic TransNAS micro source of 20 cells.
func transSource() reason.Evidence {
	sp := space.TransNASMicro()
	r := rand.New(rand.NewPCG(7, 11))
	ev := reason.Evidence{Task: "class_scene", Metric: "top1"}
	seen := map[space.Arch]bool{}
	for len(ev.Archs) < 20 {
		a := sp.Sample(r)
		if seen[a] {
			continue
		}
		seen[a] = true
		ev.Archs = append(ev.Archs, reason.Scored{Arch: a, Text: sp.Format(a), Score: 55 - 0.25*float64(len(ev.Archs))})
	}
	return ev
}

func nb201Learned() principles.Set {
	return principles.Set{
		Statements: []string{"Use 3x3 convolutions on the edges into the output node.", "Keep a skip connection from the input to the output."},
		Allowed:    [][]int{{3, 2}, {3, 1}, {3, 1}, {1, 3}, {3, 2}, {3, 1}},
		Provenance: principles.Provenance{Sources: []string{"imagenet16-120"}},
	}
}

func golden(t *testing.T, name string, msgs []reason.Message) {
	t.Helper()
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString("===== " + m.Role + " =====\n")
		b.WriteString(m.Content)
		b.WriteString("\n")
	}
	got := b.String()
	path := filepath.Join("testdata", "golden", name+".txt")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("prompt %s differs from %s (run go test -update after checking):\n%s", name, path, got)
	}
}

func TestPromptsGolden(t *testing.T) {
	nb := space.NB201()
	msgs, ev, err := LearnPrompt(reason.LearnRequest{Space: nb, Sources: []reason.Evidence{nb201Source()}, TopK: 50, MaxOpsPerEdge: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) != 50 {
		t.Fatalf("%d evidence archs, want 50", len(ev))
	}
	golden(t, "learn_nb201", msgs)

	tn := space.TransNASMicro()
	msgs, _, err = LearnPrompt(reason.LearnRequest{Space: tn, Sources: []reason.Evidence{transSource()}, TopK: 15, MaxOpsPerEdge: 3})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "learn_transnas", msgs)

	found := nb201Source().Archs[3:12]
	conv := []reason.Message{{Role: "system", Content: "(system)"}, {Role: "user", Content: "(learn prompt)"}, {Role: "assistant", Content: "(learn reply)"}}
	cur := nb201Learned()
	msgs, _, err = AdaptPrompt(reason.AdaptRequest{Space: nb, Original: cur, Current: cur, Improved: true, Found: found, MaxOpsPerEdge: 2, Evaluations: 10, Conversation: conv})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 4 || msgs[2].Content != "(learn reply)" {
		t.Fatalf("adapt does not continue the conversation: %v", msgs)
	}
	golden(t, "adapt_improved_nb201", msgs)

	msgs, _, err = AdaptPrompt(reason.AdaptRequest{Space: nb, Original: cur, Current: cur, Improved: false, Found: found, MaxOpsPerEdge: 2, Evaluations: 15, Conversation: conv})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "adapt_stalled_nb201", msgs)

	// An adapt request with no conversation (e.g. principles from another
	// reasoner) starts one, restating the space and the principles.
	msgs, _, err = AdaptPrompt(reason.AdaptRequest{Space: nb, Original: cur, Current: cur, Improved: true, Found: found, MaxOpsPerEdge: 2, Evaluations: 10})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "adapt_fresh_nb201", msgs)

	_, perr := ParseReply(nb, `{"allowed": {"0": [3], "1": [3], "2": [3], "3": [7], "4": [3], "5": [3]}}`, 2)
	m, err := ReaskPrompt(nb, 2, perr)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "reask_nb201", []reason.Message{m})
}
