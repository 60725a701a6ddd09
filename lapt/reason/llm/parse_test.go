package llm

import (
	"reflect"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/space"
)

var nb201Allowed = [][]int{{3, 1}, {3, 2}, {3, 1}, {3, 1}, {3, 2}, {3, 1}}

func TestParseReplyFormats(t *testing.T) {
	sp := space.NB201()
	cases := []struct {
		name, text string
		want       [][]int
		statements []string
	}{
		{"json", `{"principles": ["a", "b"], "allowed": {"0": [3, 1], "1": [3, 2], "2": [3, 1], "3": [3, 1], "4": [3, 2], "5": [3, 1]}}`, nb201Allowed, []string{"a", "b"}},
		{"fenced json in prose", "Here is my analysis.\n\n```json\n{\"principles\": [\"1. a\"], \"allowed\": {\"0\": [3, 1], \"1\": [3, 2], \"2\": [3, 1], \"3\": [3, 1], \"4\": [3, 2], \"5\": [3, 1]}}\n```\nHope this helps.", nb201Allowed, []string{"a"}},
		{"python dict", "Answer:\n{'principles': ['a',], 'allowed': {0: (3, 1), 1: (3, 2), 2: (3, 1), 3: (3, 1), 4: (3, 2), 5: (3, 1),}, 'final': True, 'x': None}", nb201Allowed, []string{"a"}},
		{"bare edge map", `{"0": [3,1], "1": [3,2], "2": [3,1], "3": [3,1], "4": [3,2], "5": [3,1]}`, nb201Allowed, nil},
		{"edge names", `{"allowed": {"0->1": [3,1], "0->2": [3,2], "1->2": [3,1], "0->3": [3,1], "1->3": [3,2], "2->3": [3,1]}}`, nb201Allowed, nil},
		{"edge words", `{"allowed": {"edge 0": [3,1], "edge_1": [3,2], "e2": [3,1], "Edge3": [3,1], "edge-4": [3,2], "E5": [3,1]}}`, nb201Allowed, nil},
		{"reversed arrows and tuples", `{(0, 1): [3,1], "2<-0": [3,2], "(1, 2)": [3,1], "0 -> 3": [3,1], "node 1 -> node 3": [3,2], "2→3": [3,1]}`, nb201Allowed, nil},
		{"list of lists", "allowed = [[3, 1], [3, 2], [3, 1], [3, 1], [3, 2], [3, 1]]", nb201Allowed, nil},
		{"op names and aliases", `{"allowed": {"0": ["nor_conv_3x3", "skip_connect"], "1": ["conv3x3", "conv1x1"], "2": ["3x3 conv", "identity"], "3": ["Conv 3x3", "skip"], "4": [conv3x3, "1x1 conv"], "5": ["nor_conv_3x3 (3)", "1 (skip_connect)"]}}`, nb201Allowed, nil},
		{"string op lists", `{"allowed": {"0": "3, 1", "1": "nor_conv_3x3 or nor_conv_1x1", "2": "3/1", "3": [3, 1], "4": [3.0, 2], "5": [3, 1, 1]}}`, nb201Allowed, nil},
		{"set literals", `{"allowed": {0: {3, 1}, 1: {3, 2}, 2: {3, 1}, 3: {3, 1}, 4: {3, 2}, 5: {3, 1}}}`, nb201Allowed, nil},
		{"single op", `{"allowed": {"0": 3, "1": [3], "2": [3], "3": [3], "4": [3], "5": [3]}}`, [][]int{{3}, {3}, {3}, {3}, {3}, {3}}, nil},
		{"last block wins", "Earlier draft: {\"allowed\": {\"0\": [0], \"1\": [0], \"2\": [0], \"3\": [0], \"4\": [0], \"5\": [0]}}\nFinal:\n{\"allowed\": {\"0\": [3, 1], \"1\": [3, 2], \"2\": [3, 1], \"3\": [3, 1], \"4\": [3, 2], \"5\": [3, 1]}}", nb201Allowed, nil},
		{"prose principles", "## Design principles:\n1. Use 3x3 convs into the output.\n2. Keep a skip path.\n\n```\n{\"0\": [3,1], \"1\": [3,2], \"2\": [3,1], \"3\": [3,1], \"4\": [3,2], \"5\": [3,1]}\n```", nb201Allowed, []string{"Use 3x3 convs into the output.", "Keep a skip path."}},
		{"comments and smart quotes", "{\n  # edges\n  \u201callowed\u201d: {\"0\": [3, 1], // first\n \"1\": [3, 2], \"2\": [3, 1], \"3\": [3, 1], \"4\": [3, 2], \"5\": [3, 1]}\n}", nb201Allowed, nil},
		{"bracket prose before", "I think [the best] cells use {convs}. {\"allowed\": [[3, 1], [3, 2], [3, 1], [3, 1], [3, 2], [3, 1]]}", nb201Allowed, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set, err := ParseReply(sp, c.text, 2)
			if err != nil {
				t.Fatalf("ParseReply: %v", err)
			}
			if !reflect.DeepEqual(set.Allowed, c.want) {
				t.Errorf("allowed = %v, want %v", set.Allowed, c.want)
			}
			if c.statements != nil && !reflect.DeepEqual(set.Statements, c.statements) {
				t.Errorf("statements = %q, want %q", set.Statements, c.statements)
			}
		})
	}
}

func TestParseReplyErrors(t *testing.T) {
	sp := space.NB201()
	cases := []struct {
		name, text, want string
	}{
		{"out of range", `{"allowed": {"0": [3], "1": [3], "2": [3], "3": [7], "4": [3], "5": [3]}}`, "edge 3 (0->3): op id 7 out of range 0..4"},
		{"negative", `{"allowed": [[3], [-1], [3], [3], [3], [3]]}`, "edge 1 (0->2): op id -1 out of range 0..4"},
		{"empty", `{"allowed": {"0": [3], "1": [], "2": [3], "3": [3], "4": [3], "5": [3]}}`, "edge 1 (0->2): no op given (empty list)"},
		{"five edges list", `{"allowed": [[3], [3], [3], [3], [3]]}`, "5 edges given, the space nb201 has 6 (give one entry per edge, 0..5)"},
		{"seven edges list", `{"allowed": [[3], [3], [3], [3], [3], [3], [3]]}`, "7 edges given, the space nb201 has 6 (give one entry per edge, 0..5)"},
		{"five edges map", `{"allowed": {"0": [3], "1": [3], "2": [3], "3": [3], "4": [3]}}`, "edge 5 (2->3) is missing (5 of 6 edges given)"},
		{"seven edges map", `{"allowed": {"0": [3], "1": [3], "2": [3], "3": [3], "4": [3], "5": [3], "6": [3]}}`, `key "6": edge index out of range 0..5`},
		{"one based", `{"allowed": {"1": [3], "2": [3], "3": [3], "4": [3], "5": [3], "6": [3]}}`, `key "6": edge index out of range 0..5; the edge keys look 1-based; number the edges from 0 to 5; edge 0 (0->1) is missing (5 of 6 edges given)`},
		{"cap", `{"allowed": {"0": [3, 1, 2], "1": [3], "2": [3], "3": [3], "4": [3], "5": [3]}}`, "edge 0 (0->1): 3 ops given, at most 2 allowed"},
		{"twice", `{"allowed": {"0": [3], "0->1": [1], "1": [3], "2": [3], "3": [3], "4": [3], "5": [3]}}`, `edge 0 (0->1) given twice (keys "0" and "0->1")`},
		{"unknown op", `{"allowed": {"0": ["sep_conv_5x5"], "1": [3], "2": [3], "3": [3], "4": [3], "5": [3]}}`, `edge 0 (0->1): unknown op "sep_conv_5x5" (ops: 0 none, 1 skip_connect, 2 nor_conv_1x1, 3 nor_conv_3x3, 4 avg_pool_3x3)`},
		{"fraction", `{"allowed": {"0": [2.5], "1": [3], "2": [3], "3": [3], "4": [3], "5": [3]}}`, "edge 0 (0->1): op id 2.5 is not a whole number"},
		{"no edge", `{"allowed": {"0": [3], "1": [3], "2": [3], "3": [3], "4": [3], "3->0": [3], "2->3": [3]}}`, `key "3->0": the cell has no edge between those nodes (edges: 0=0->1, 1=0->2, 2=1->2, 3=0->3, 4=1->3, 5=2->3)`},
		{"prose", "I suggest convolutions everywhere.", `no JSON object with the allowed ops per edge found in the reply (expected a final block like {"principles": ["..."], "allowed": {"0": [...], "1": [...], ..., "5": [...]}})`},
		{"cut", "Analysis...\n```json\n{\"principles\": [\"a\"], \"allowed\": {\"0\": [3, 1], \"1\": [3", "the reply is cut off: the '{' opened at byte 20 is never closed"},
		{"empty reply", "  ", "the reply is empty"},
		{"several problems", `{"allowed": {"0": [9], "1": [], "2": [3], "3": [3], "4": [3], "5": [3]}}`, "edge 0 (0->1): op id 9 out of range 0..4; edge 1 (0->2): no op given (empty list)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseReply(sp, c.text, 2)
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != c.want {
				t.Errorf("error\n got %s\nwant %s", err, c.want)
			}
			if _, ok := err.(*ReplyError); !ok {
				t.Errorf("error type %T, want *ReplyError", err)
			}
		})
	}
}

func TestParseReplyTransNAS(t *testing.T) {
	sp := space.TransNASMicro()
	set, err := ParseReply(sp, `{"allowed": {"0": [3, 2, 1], "1": [3], "2": [1, 3], "3": [3, 2], "4": [2], "5": [3, 1, 0]}}`, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Allowed) != 6 || len(set.Allowed[5]) != 3 {
		t.Fatalf("allowed = %v", set.Allowed)
	}
	_, err = ParseReply(sp, `{"allowed": {"0": [4], "1": [3], "2": [1, 3], "3": [3, 2], "4": [2], "5": [3, 1, 0]}}`, 3)
	if err == nil || err.Error() != "edge 0 (0->1): op id 4 out of range 0..3" {
		t.Fatalf("err = %v", err)
	}
	_, err = ParseReply(sp, `{"allowed": {"0": ["avg_pool_3x3"], "1": [3], "2": [1, 3], "3": [3, 2], "4": [2], "5": [3, 1, 0]}}`, 3)
	if err == nil || !strings.Contains(err.Error(), `edge 0 (0->1): unknown op "avg_pool_3x3"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestParseReplyDefinedSpace(t *testing.T) {
	sp, err := space.Define("toy", []space.EdgeSpec{
		space.Choice("width", "w16", "w32", "w64"),
		space.Choice("depth", "d1", "d2"),
	})
	if err != nil {
		t.Fatal(err)
	}
	set, err := ParseReply(sp, `{"allowed": {"width": ["w32", "w64"], "depth": [4]}}`, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(set.Allowed, [][]int{{1, 2}, {4}}) {
		t.Fatalf("allowed = %v", set.Allowed)
	}
}
