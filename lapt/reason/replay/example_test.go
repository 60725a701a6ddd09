package replay_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/reason/replay"
	"github.com/nasnb/nasnb/lapt/space"
)

// stub is a reasoner that allows the best source architecture's op on every
// edge, and counts its calls.
type stub struct{ calls int }

func (s *stub) Name() string { return "stub" }

func (s *stub) Learn(_ context.Context, req reason.LearnRequest) (reason.Outcome, error) {
	s.calls++
	best := req.Sources[0].Archs[0].Arch
	set := principles.Set{Statements: []string{"copy the best cell"}, Provenance: principles.Provenance{Reasoner: s.Name()}}
	for i := 0; i < best.Len(); i++ {
		set.Allowed = append(set.Allowed, []int{best.Op(i)})
	}
	return reason.Outcome{Set: set}, nil
}

func (s *stub) Adapt(_ context.Context, req reason.AdaptRequest) (reason.Outcome, error) {
	s.calls++
	return reason.Outcome{Set: req.Current.Clone()}, nil
}

func Example() {
	dir, _ := os.MkdirTemp("", "replay-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "reasoner.jsonl")

	sp := space.NB201()
	best, _ := sp.Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
	req := reason.LearnRequest{Space: sp, Sources: []reason.Evidence{{Task: "imagenet16-120", Archs: []reason.Scored{{Arch: best, Score: 46.7}}}}, MaxOpsPerEdge: 2}

	// Record: the first call asks the inner reasoner, the second is served from the file.
	inner := &stub{}
	rec, _ := replay.NewRecorder(inner, path)
	out1, _ := rec.Learn(context.Background(), req)
	out2, _ := rec.Learn(context.Background(), req)
	rec.Close()
	fmt.Println("inner calls:", inner.calls)
	fmt.Println("same answer:", fmt.Sprint(out1.Set.Allowed) == fmt.Sprint(out2.Set.Allowed))

	// Replay: no inner reasoner at all.
	rep, _ := replay.NewReplayer(path)
	defer rep.Close()
	out3, _ := rep.Learn(context.Background(), req)
	fmt.Println(rep.Name(), out3.Set.Allowed, out3.Set.Provenance.Reasoner)

	// A request that was never recorded is a clear miss.
	req.MaxOpsPerEdge = 3
	_, err := rep.Learn(context.Background(), req)
	fmt.Println(err != nil)
	// Output:
	// inner calls: 1
	// same answer: true
	// replay(stub) [[3] [3] [3] [1] [3] [3]] replay(stub)
	// true
}
