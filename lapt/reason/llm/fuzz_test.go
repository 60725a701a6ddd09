package llm

import (
	"errors"
	"testing"

	"github.com/nasnb/nasnb/lapt/reason/llm/llmtest"
	"github.com/nasnb/nasnb/lapt/space"
)

func FuzzParseReply(f *testing.F) {
	seeds := []string{
		`{"principles": ["a"], "allowed": {"0": [3, 1], "1": [3, 2], "2": [3, 1], "3": [3, 1], "4": [3, 2], "5": [3, 1]}}`,
		"{'allowed': {0: (3, 1), 1: (3,), 2: [3], 3: [1], 4: [2], 5: [3],}, 'ok': True}",
		`{(0, 1): [3,1], "2<-0": [3,2], "(1, 2)": [3,1], "0 -> 3": [3,1], "node 1 -> node 3": [3,2], "2→3": [3,1]}`,
		"allowed = [[3, 1], [3, 2], [3, 1], [3, 1], [3, 2], [3, 1]]",
		`{"allowed": {"0": "3, 1", "1": "nor_conv_3x3 or nor_conv_1x1", "2": "3/1", "3": [3, 1], "4": [3.0, 2], "5": [3, 1, 1]}}`,
		"## Design principles:\n1. a\n2. b\n```\n{\"0\": [3,1], \"1\": [3,2], \"2\": [3,1], \"3\": [3,1], \"4\": [3,2], \"5\": [3,1]}\n```",
		"{\"principles\": [\"a\"], \"allowed\": {\"0\": [3, 1], \"1\": [3",
		`{"allowed": {"0": {"nor_conv_3x3": true, "skip_connect": false}, "1": [1e400], "2": [-0], "3": ["""x"""], "4": [0x3], "5": [/* c */ 3]}}`,
		"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
		llmtest.GoodReply(nb201Allowed, "x"),
		llmtest.PythonReply(nb201Allowed, "x", "y"),
		llmtest.ProseOnly,
		"",
	}
	for _, s := range seeds {
		f.Add(s, uint8(2))
	}
	nb, tn := space.NB201(), space.TransNASMicro()
	f.Fuzz(func(t *testing.T, text string, cap uint8) {
		for _, sp := range []*space.Space{nb, tn} {
			maxOps := int(cap % 6)
			set, err := ParseReply(sp, text, maxOps)
			if err != nil {
				var re *ReplyError
				if !errors.As(err, &re) || len(re.Problems) == 0 || err.Error() == "" {
					t.Fatalf("error %v is not a ReplyError with problems", err)
				}
				continue
			}
			if verr := set.Validate(sp, maxOps); verr != nil {
				t.Fatalf("accepted a reply that does not validate: %v", verr)
			}
		}
	})
}
