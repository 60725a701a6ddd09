package llm

// Prompts: the learn, adapt and re-ask messages rendered from the embedded
// templates, with the search space written as code and architectures as op ids.

import (
	"embed"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/nasnb/nasnb/lapt/reason"
	"github.com/nasnb/nasnb/lapt/space"
)

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
