package llmtest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ProseOnly is a reply with an analysis but no machine-readable block.
const ProseOnly = `The top architectures favour 3x3 convolutions on the edges into the output node,
and skip connections between the first nodes. I would keep convolutions and skips.`

// GoodReply returns a well-formed reply: a short analysis, then a fenced
// JSON block with the statements and the allowed op ids keyed by edge index.
// Any allowed (5 or 7 edges, empty lists, ids out of range) is written as
// given, so tests can build invalid replies too.
func GoodReply(allowed [][]int, statements ...string) string {
	if len(statements) == 0 {
		statements = []string{"3x3 convolutions on the edges into the output node help most."}
	}
	m := map[string][]int{}
	for i, al := range allowed {
		if al == nil {
			al = []int{}
		}
		m[strconv.Itoa(i)] = al
	}
	block, _ := json.Marshal(map[string]any{"principles": statements, "allowed": m})
	return "Analysis: information flows from node 0 to node 3 along several paths.\n\n```json\n" + string(block) + "\n```"
}

// PythonReply returns the allowed ops as a Python dict with single quotes,
// tuples and a trailing comma, inside prose, as models often write.
func PythonReply(allowed [][]int, statements ...string) string {
	var b strings.Builder
	b.WriteString("Here are my principles:\n")
	for i, s := range statements {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s)
	}
	b.WriteString("\nThe available operations per edge:\n{")
	for i, al := range allowed {
		p := make([]string, len(al))
		for k, op := range al {
			p[k] = strconv.Itoa(op)
		}
		fmt.Fprintf(&b, "'%d': (%s,), ", i, strings.Join(p, ", "))
	}
	b.WriteString("}\nLet me know if you need more.")
	return b.String()
}

// NamesReply returns a reply whose allowed ops are op names keyed by edge
// name ("0->1"), with names[i] the name of op i.
func NamesReply(names []string, edges []string, allowed [][]int) string {
	var b strings.Builder
	b.WriteString("{\"principles\": [\"Prefer convolutions near the output.\"], \"allowed\": {")
	for i, al := range allowed {
		if i > 0 {
			b.WriteString(", ")
		}
		p := make([]string, len(al))
		for k, op := range al {
			if op >= 0 && op < len(names) {
				p[k] = strconv.Quote(names[op])
			} else {
				p[k] = strconv.Quote(fmt.Sprintf("op%d", op))
			}
		}
		e := strconv.Itoa(i)
		if i < len(edges) {
			e = edges[i]
		}
		fmt.Fprintf(&b, "%q: [%s]", e, strings.Join(p, ", "))
	}
	b.WriteString("}}")
	return b.String()
}

// CutMid returns s cut in the middle of its last '{' ... '}' block (or in
// the middle of s when it has none), as a reply stopped at a token limit.
func CutMid(s string) string {
	open := strings.LastIndex(s, "{\"principles\"")
	if open < 0 {
		open = strings.Index(s, "{")
	}
	if open < 0 {
		return s[:len(s)/2]
	}
	end := strings.LastIndex(s, "}")
	if end <= open {
		end = len(s)
	}
	return s[:open+(end-open)/2]
}

var archLineRE = regexp.MustCompile(`(?m)^\s*\d+\.\s*\[([0-9,\s]+)\]`)

// FrequencyResponder returns a responder for [WithResponder] that answers
// like a frugal model: it counts, per edge, the op ids of the architectures
// listed in the last user message that lists any (lines "k. [ids]") and
// allows the maxPerEdge most frequent ones. It lets a notebook exercise the
// whole record/replay path without a language model.
func FrequencyResponder(maxPerEdge int) func([]Message) string {
	return func(msgs []Message) string {
		var archs [][]int
		for i := len(msgs) - 1; i >= 0 && len(archs) == 0; i-- {
			if msgs[i].Role != "user" {
				continue
			}
			for _, m := range archLineRE.FindAllStringSubmatch(msgs[i].Content, -1) {
				var ops []int
				for _, f := range strings.Split(m[1], ",") {
					if v, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
						ops = append(ops, v)
					}
				}
				archs = append(archs, ops)
			}
		}
		if len(archs) == 0 {
			return "I found no architectures in the conversation, so I cannot suggest ops."
		}
		n := len(archs[0])
		allowed := make([][]int, n)
		for e := 0; e < n; e++ {
			count := map[int]int{}
			for _, a := range archs {
				if e < len(a) {
					count[a[e]]++
				}
			}
			ops := make([]int, 0, len(count))
			for op := range count {
				ops = append(ops, op)
			}
			sort.Slice(ops, func(i, j int) bool {
				if count[ops[i]] != count[ops[j]] {
					return count[ops[i]] > count[ops[j]]
				}
				return ops[i] < ops[j]
			})
			if maxPerEdge > 0 && len(ops) > maxPerEdge {
				ops = ops[:maxPerEdge]
			}
			allowed[e] = ops
		}
		return GoodReply(allowed, fmt.Sprintf("Keep the %d most frequent ops of each edge among the %d listed architectures.", maxPerEdge, len(archs)))
	}
}
