package llm

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/space"
)

// MaxReplyBytes bounds the reply text ParseReply reads; longer replies are
// rejected with an error rather than parsed.
const MaxReplyBytes = 512 << 10

// maxCandidates bounds how many bracketed regions of a reply are tried.
const maxCandidates = 256

// ReplyError is the validation error of a reply: one entry per problem, each
// naming the edge and the bad value. Its message is what a re-ask sends back
// to the model.
type ReplyError struct {
	Problems []string
}

// Error joins the problems with "; ".
func (e *ReplyError) Error() string { return strings.Join(e.Problems, "; ") }

func replyErr(format string, args ...any) *ReplyError {
	return &ReplyError{Problems: []string{fmt.Sprintf(format, args...)}}
}

// ParseReply reads a model's reply into a principle set: the statements, the
// per-edge allowed op ids, and the analysis (the prose before the final
// block). Reading is tolerant: the block may be JSON or a Python-style dict,
// inside a code fence or surrounded by prose; the allowed ops may be keyed by
// edge index ("0" or 0), by edge name ("0->1", "edge 0", "e0", "1<-0",
// (0, 1)) or given as a list with one entry per edge; ops may be ids or names
// (with common aliases such as "conv3x3", "skip", "avgpool", "zero").
// Statements come from a "principles" list or, failing that, from a numbered
// list under a heading that mentions principles.
//
// Validation is strict: every edge must appear exactly once with at least one
// op and at most maxPerEdge ops (0 = no cap), and every op must be a choice
// of the edge in sp's root space. The error is a *ReplyError whose message
// names each problem, e.g. "edge 3 (0->3): op id 7 out of range 0..4".
// ParseReply never panics.
func ParseReply(sp *space.Space, text string, maxPerEdge int) (principles.Set, error) {
	if sp == nil {
		return principles.Set{}, replyErr("no search space given")
	}
	root := sp.Root()
	if len(text) > MaxReplyBytes {
		return principles.Set{}, replyErr("the reply is %d bytes long, more than the %d accepted", len(text), MaxReplyBytes)
	}
	if strings.TrimSpace(text) == "" {
		return principles.Set{}, replyErr("the reply is empty")
	}
	regions, unclosed, unclosedObjects := bracketRegions(text)
	type cand struct {
		rank  int // 3: map with an allowed key, 2: map of edge keys, 1: list of lists
		start int
		end   int
		v     value
	}
	var best *cand
	tried := 0
	for pass := 0; pass < 2 && best == nil; pass++ {
		for i := len(regions) - 1; i >= 0 && tried < maxCandidates; i-- {
			r := regions[i]
			if r.outer != (pass == 0) {
				continue
			}
			tried++
			v, err := parseLiteral(text[r.start:r.end])
			if err != nil {
				continue
			}
			rank := rankCandidate(root, v)
			if rank == 0 {
				continue
			}
			if best == nil || rank > best.rank {
				best = &cand{rank: rank, start: r.start, end: r.end, v: v}
			}
		}
	}
	if best == nil {
		if unclosed >= 0 {
			return principles.Set{}, replyErr("the reply is cut off: the '%c' opened at byte %d is never closed", text[unclosed], unclosed)
		}
		return principles.Set{}, replyErr("no JSON object with the allowed ops per edge found in the reply (expected a final block like %s)", formatExample(root, maxPerEdge))
	}
	for _, u := range unclosedObjects {
		if u < best.start && looksLikeObjectStart(text, u) {
			return principles.Set{}, replyErr("the reply is cut off: the '{' opened at byte %d is never closed", u)
		}
	}
	set := principles.Set{}
	allowedV := best.v
	if best.v.kind == kMap {
		if av, ok := lookupKey(best.v, allowedKeys); ok {
			allowedV = av
		}
		if pv, ok := lookupKey(best.v, principleKeys); ok {
			set.Statements = statements(pv)
		}
		if an, ok := lookupKey(best.v, []string{"analysis", "reasoning"}); ok && an.kind == kString {
			set.Analysis = strings.TrimSpace(an.str)
		}
	}
	prose := strings.TrimSpace(stripFenceMarks(text[:best.start]))
	if set.Analysis == "" {
		set.Analysis = prose
	}
	if len(set.Statements) == 0 {
		set.Statements = proseStatements(prose)
	}
	allowed, err := readAllowed(root, allowedV, maxPerEdge)
	if err != nil {
		return set, err
	}
	set.Allowed = allowed
	if err := set.Validate(root, maxPerEdge); err != nil {
		// readAllowed checks everything Validate does; this is a safety net.
		return set, replyErr("%s", strings.TrimPrefix(err.Error(), "principles: "))
	}
	return set, nil
}

// region is a balanced bracketed part of a reply; outer is true when no
// other region encloses it.
type region struct {
	start, end int
	outer      bool
}

// bracketRegions returns the balanced {...} and [...] regions of text in
// order of their start (enclosing before enclosed), and the start of the
// first '{' (else '[') that is never closed (-1 when none). Quotes are not
// tracked: prose apostrophes would confuse them.
func bracketRegions(text string) ([]region, int, []int) {
	type open struct {
		c   byte
		pos int
	}
	var stack []open
	var regions [][2]int
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch c {
		case '{', '[':
			if len(stack) < 4*maxDepth {
				stack = append(stack, open{c, i})
			}
		case '}', ']':
			want := byte('{')
			if c == ']' {
				want = '['
			}
			for k := len(stack) - 1; k >= 0; k-- {
				if stack[k].c == want {
					regions = append(regions, [2]int{stack[k].pos, i + 1})
					stack = stack[:k]
					break
				}
			}
		}
	}
	// Keep only outermost regions, then the regions directly inside them,
	// ordered by start; candidates are tried from the last.
	sort.Slice(regions, func(i, j int) bool {
		if regions[i][0] != regions[j][0] {
			return regions[i][0] < regions[j][0]
		}
		return regions[i][1] > regions[j][1]
	})
	out := make([]region, len(regions))
	end := -1
	for i, r := range regions {
		out[i] = region{start: r[0], end: r[1], outer: r[0] >= end}
		if r[0] >= end {
			end = r[1]
		}
	}
	unclosed := -1
	var objects []int
	for _, o := range stack {
		if o.c == '{' {
			objects = append(objects, o.pos)
		}
	}
	if len(stack) > 0 {
		unclosed = stack[0].pos
		for _, o := range stack {
			if o.c == '{' {
				unclosed = o.pos
				break
			}
		}
	}
	return out, unclosed, objects
}

// looksLikeObjectStart reports whether the '{' at pos opens a JSON or
// Python dict (a quote follows it), not a brace in prose.
func looksLikeObjectStart(text string, pos int) bool {
	rest := strings.TrimLeft(text[pos+1:], " \t\r\n")
	return rest != "" && (rest[0] == '"' || rest[0] == '\'')
}

var (
	allowedKeys   = []string{"allowed", "allowedops", "allowedoperations", "availableops", "availableoperations", "available", "ops", "operations", "edges", "peredge", "edgeops", "alloweds", "search_space", "searchspace", "space", "candidates", "candidateops"}
	principleKeys = []string{"principles", "designprinciples", "principle", "statements", "rules"}
)

func normKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// lookupKey finds the first key of m (a map) whose normalised text is one of names.
func lookupKey(m value, names []string) (value, bool) {
	for _, n := range names {
		n = normKey(n)
		for i, k := range m.keys {
			if k.kind == kString && normKey(k.str) == n {
				return m.items[i], true
			}
		}
	}
	return value{}, false
}

// rankCandidate says how much v looks like the answer block.
func rankCandidate(root *space.Space, v value) int {
	switch v.kind {
	case kMap:
		if av, ok := lookupKey(v, allowedKeys); ok && (av.kind == kMap || av.kind == kList) {
			return 3
		}
		edgeKeys := 0
		for _, k := range v.keys {
			if _, ok := edgeOfKey(root, k); ok {
				edgeKeys++
			}
		}
		if len(v.keys) > 0 && edgeKeys*2 >= len(v.keys) && edgeKeys >= min(2, root.NumEdges()) {
			return 2
		}
	case kList:
		if len(v.items) < 2 {
			return 0
		}
		for _, it := range v.items {
			if it.kind != kList {
				return 0
			}
		}
		return 1
	}
	return 0
}

var edgeWordRE = regexp.MustCompile(`^(?:edge|e|edges|decision|d|o)?\s*[_#:\-]?\s*(\d+)$`)
var arrowRE = regexp.MustCompile(`^\(?\s*(?:node\s*)?(\d+)\s*(->|→|-|_|,|to|<-|←)\s*(?:node\s*)?(\d+)\s*\)?$`)

// edgeOfKey maps a key of the allowed map to an edge index. ok is false when
// the key does not look like an edge at all; an edge-like key out of range
// returns (-1-n, true) with n the number it named, for error messages.
func edgeOfKey(root *space.Space, k value) (int, bool) {
	n := root.NumEdges()
	switch k.kind {
	case kNumber:
		if k.num != math.Trunc(k.num) || math.IsInf(k.num, 0) || math.Abs(k.num) > 1e9 {
			return 0, false
		}
		i := int(k.num)
		if i < 0 || i >= n {
			return -1 - abs(i), true
		}
		return i, true
	case kList:
		if len(k.items) == 2 && k.items[0].kind == kNumber && k.items[1].kind == kNumber {
			return edgeByNodes(root, int(k.items[0].num), int(k.items[1].num))
		}
		return 0, false
	case kString:
	default:
		return 0, false
	}
	s := strings.TrimSpace(k.str)
	for i, e := range root.Edges() {
		if s == e.Name {
			return i, true
		}
	}
	ls := strings.ToLower(s)
	if m := arrowRE.FindStringSubmatch(ls); m != nil {
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[3])
		if m[2] == "<-" || m[2] == "←" {
			a, b = b, a
		}
		if root.Nodes() > 0 {
			return edgeByNodes(root, a, b)
		}
	}
	if m := edgeWordRE.FindStringSubmatch(ls); m != nil {
		i, err := strconv.Atoi(m[1])
		if err != nil || i >= n || i < 0 {
			return -1 - min(i, 1<<20), true
		}
		return i, true
	}
	for i, e := range root.Edges() {
		if normKey(s) == normKey(e.Name) && normKey(s) != "" {
			return i, true
		}
	}
	return 0, false
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

func edgeByNodes(root *space.Space, a, b int) (int, bool) {
	for i, e := range root.Edges() {
		if e.From == a && e.To == b {
			return i, true
		}
	}
	return noSuchEdge, true
}

// noSuchEdge marks a key naming two nodes that no edge connects.
const noSuchEdge = -1 << 40

// readAllowed turns the allowed value into per-edge op ids, with every
// problem named.
func readAllowed(root *space.Space, v value, maxPerEdge int) ([][]int, error) {
	n := root.NumEdges()
	raw := make([]value, n)
	have := make([]bool, n)
	keyText := make([]string, n)
	var probs []string
	switch v.kind {
	case kMap:
		var outOfRange []int
		for i, k := range v.keys {
			e, ok := edgeOfKey(root, k)
			switch {
			case !ok:
				probs = append(probs, fmt.Sprintf("key %s names no edge (use the edge indices 0..%d)", k.text(), n-1))
				continue
			case e == noSuchEdge:
				probs = append(probs, fmt.Sprintf("key %s: the cell has no edge between those nodes (edges: %s)", k.text(), edgeList(root)))
				continue
			case e < 0:
				outOfRange = append(outOfRange, -1-e)
				probs = append(probs, fmt.Sprintf("key %s: edge index out of range 0..%d", k.text(), n-1))
				continue
			}
			if have[e] {
				probs = append(probs, fmt.Sprintf("edge %d (%s) given twice (keys %s and %s)", e, root.EdgeLabel(e), keyText[e], k.text()))
				continue
			}
			have[e], raw[e], keyText[e] = true, v.items[i], k.text()
		}
		if len(outOfRange) > 0 && !have[0] {
			probs = append(probs, fmt.Sprintf("the edge keys look 1-based; number the edges from 0 to %d", n-1))
		}
	case kList:
		if len(v.items) != n {
			return nil, replyErr("%d edges given, the space %s has %d (give one entry per edge, 0..%d)", len(v.items), root.Name(), n, n-1)
		}
		for i := range v.items {
			raw[i], have[i], keyText[i] = v.items[i], true, strconv.Itoa(i)
		}
	default:
		return nil, replyErr("the allowed ops must be a map from edge to op ids, found %s", v.text())
	}
	var missing []string
	for e := 0; e < n; e++ {
		if !have[e] {
			missing = append(missing, fmt.Sprintf("%d (%s)", e, root.EdgeLabel(e)))
		}
	}
	if len(missing) > 0 {
		given := 0
		for _, h := range have {
			if h {
				given++
			}
		}
		if len(missing) == 1 {
			probs = append(probs, fmt.Sprintf("edge %s is missing (%d of %d edges given)", missing[0], given, n))
		} else {
			probs = append(probs, fmt.Sprintf("edges %s are missing (%d of %d edges given)", strings.Join(missing, ", "), given, n))
		}
	}
	allowed := make([][]int, n)
	for e := 0; e < n; e++ {
		if !have[e] {
			continue
		}
		ops, p := readOps(root, e, raw[e], maxPerEdge)
		probs = append(probs, p...)
		allowed[e] = ops
	}
	if len(probs) > 0 {
		return nil, &ReplyError{Problems: probs}
	}
	return allowed, nil
}

func edgeList(root *space.Space) string {
	parts := make([]string, root.NumEdges())
	for i := range parts {
		parts[i] = fmt.Sprintf("%d=%s", i, root.EdgeLabel(i))
	}
	return strings.Join(parts, ", ")
}

var splitOpsRE = regexp.MustCompile(`\s*(?:,|;|/|\||\band\b|\bor\b)\s*`)

// readOps reads the op list of edge e.
func readOps(root *space.Space, e int, v value, maxPerEdge int) ([]int, []string) {
	label := fmt.Sprintf("edge %d (%s)", e, root.EdgeLabel(e))
	var items []value
	switch v.kind {
	case kList:
		items = v.items
	case kNumber:
		items = []value{v}
	case kString:
		for _, part := range splitOpsRE.Split(strings.TrimSpace(v.str), -1) {
			if part != "" {
				items = append(items, value{kind: kString, str: part})
			}
		}
	case kMap:
		// {"nor_conv_3x3": true, "skip_connect": false}: keep the true ones.
		for i, k := range v.keys {
			if it := v.items[i]; it.kind == kBool && it.num == 0 || it.kind == kNull {
				continue
			}
			items = append(items, k)
		}
	default:
		return nil, []string{fmt.Sprintf("%s: expected a list of op ids, found %s", label, v.text())}
	}
	if len(items) == 0 {
		return nil, []string{fmt.Sprintf("%s: no op given (empty list)", label)}
	}
	var probs []string
	var ops []int
	nOps := len(root.Ops())
	for _, it := range items {
		id, p := opOf(root, it)
		if p != "" {
			probs = append(probs, label+": "+p)
			continue
		}
		if id < 0 || id >= nOps {
			probs = append(probs, fmt.Sprintf("%s: op id %d out of range 0..%d", label, id, nOps-1))
			continue
		}
		if !root.Allows(e, id) {
			probs = append(probs, fmt.Sprintf("%s: op id %d (%s) is not a choice of this edge (choices: %s)", label, id, root.OpName(id), idList(root, root.AllowedOn(e))))
			continue
		}
		if !slices.Contains(ops, id) {
			ops = append(ops, id)
		}
	}
	if len(probs) == 0 && maxPerEdge > 0 && len(ops) > maxPerEdge {
		probs = append(probs, fmt.Sprintf("%s: %d ops given, at most %d allowed", label, len(ops), maxPerEdge))
	}
	return ops, probs
}

func idList(root *space.Space, ids []int) string {
	p := make([]string, len(ids))
	for i, id := range ids {
		p[i] = fmt.Sprintf("%d %s", id, root.OpName(id))
	}
	return strings.Join(p, ", ")
}

// opAliases maps normalised spellings to canonical op names.
var opAliases = map[string][]string{
	space.NameNone:    {"none", "zero", "zeros", "null", "noop", "nothing", "noedge", "remove", "removed", "disconnect"},
	space.NameSkip:    {"skip", "skipconnect", "skipconnection", "identity", "id", "residual", "skipconn"},
	space.NameConv1x1: {"conv1x1", "1x1conv", "conv1", "norconv1x1", "1x1convolution", "convolution1x1", "1x1", "conv11", "pointwiseconv", "relu conv1x1 bn"},
	space.NameConv3x3: {"conv3x3", "3x3conv", "conv3", "norconv3x3", "3x3convolution", "convolution3x3", "3x3", "conv33"},
	space.NameAvgPool: {"avgpool", "avgpool3x3", "3x3avgpool", "averagepool", "averagepooling", "avgpooling", "pool", "avg", "pooling", "3x3averagepool", "3x3averagepooling", "averagepool3x3"},
}

// opOf resolves one op: an id (number or numeric string) or a name.
func opOf(root *space.Space, v value) (int, string) {
	switch v.kind {
	case kNumber:
		if v.num != math.Trunc(v.num) || math.IsInf(v.num, 0) || math.IsNaN(v.num) {
			return 0, fmt.Sprintf("op id %s is not a whole number", v.str)
		}
		if math.Abs(v.num) > 1e6 {
			return 0, fmt.Sprintf("op id %s out of range 0..%d", v.str, len(root.Ops())-1)
		}
		return int(v.num), ""
	case kString:
	default:
		return 0, fmt.Sprintf("expected an op id, found %s", v.text())
	}
	s := strings.TrimSpace(v.str)
	// "3", "3 (nor_conv_3x3)", "3: nor_conv_3x3", "nor_conv_3x3 (3)".
	if m := leadingIDRE.FindStringSubmatch(s); m != nil {
		id, err := strconv.Atoi(m[1])
		if err == nil {
			return id, ""
		}
	}
	if id, ok := root.OpID(s); ok {
		return id, ""
	}
	name := s
	if m := trailingIDRE.FindStringSubmatch(s); m != nil {
		name = strings.TrimSpace(m[1])
		if id, ok := root.OpID(name); ok {
			return id, ""
		}
	}
	nk := normKey(name)
	for id, op := range root.Ops() {
		if normKey(op.Name) == nk {
			return id, ""
		}
	}
	for canon, aliases := range opAliases {
		if normKey(canon) == nk || slices.ContainsFunc(aliases, func(a string) bool { return normKey(a) == nk }) {
			if id, ok := root.OpID(canon); ok {
				return id, ""
			}
		}
	}
	return 0, fmt.Sprintf("unknown op %q (ops: %s)", truncateRunes(s, 40), idList(root, allIDs(root)))
}

var (
	leadingIDRE  = regexp.MustCompile(`^(\d{1,6})\s*(?:$|[:(\-=]|\s)`)
	trailingIDRE = regexp.MustCompile(`^(.*?)\s*[(\[]\s*(?:id\s*)?\d+\s*[)\]]$`)
)

func allIDs(root *space.Space) []int {
	ids := make([]int, len(root.Ops()))
	for i := range ids {
		ids[i] = i
	}
	return ids
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "..."
}

// statements reads the principles value: a list of strings (or of maps with
// a text field), or one string with one principle per line.
func statements(v value) []string {
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(numberingRE.ReplaceAllString(strings.TrimSpace(s), ""))
		if s != "" {
			out = append(out, s)
		}
	}
	switch v.kind {
	case kString:
		for _, line := range strings.Split(v.str, "\n") {
			add(line)
		}
	case kList:
		for _, it := range v.items {
			switch it.kind {
			case kString:
				add(it.str)
			case kMap:
				if t, ok := lookupKey(it, []string{"principle", "statement", "text", "description"}); ok && t.kind == kString {
					add(t.str)
				}
			}
		}
	case kMap:
		for i, k := range v.keys {
			if it := v.items[i]; it.kind == kString {
				if k.kind == kString && !k.bare && normKey(k.str) != "" && !isDigits(k.str) {
					add(k.str + ": " + it.str)
				} else {
					add(it.str)
				}
			}
		}
	}
	return out
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

var (
	numberingRE = regexp.MustCompile(`^(?:\d{1,3}[.)]|[-*•]|\(\d{1,3}\))\s+`)
	itemRE      = regexp.MustCompile(`^\s*(?:\d{1,3}[.)]|[-*•]|\(\d{1,3}\))\s+(.+)$`)
	headingRE   = regexp.MustCompile(`(?i)principle`)
)

// proseStatements collects the numbered or bulleted items that follow the
// last heading-like line mentioning principles.
func proseStatements(prose string) []string {
	lines := strings.Split(prose, "\n")
	start := -1
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if headingRE.MatchString(t) && len(t) < 100 && !itemRE.MatchString(t) &&
			(strings.HasSuffix(t, ":") || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "**") || strings.HasPrefix(t, "(c)") || strings.HasPrefix(t, "c)")) {
			start = i + 1
		}
	}
	if start < 0 {
		return nil
	}
	var out []string
	for _, l := range lines[start:] {
		t := strings.TrimSpace(l)
		if t == "" {
			if len(out) > 0 {
				// allow blank lines between items
				continue
			}
			continue
		}
		m := itemRE.FindStringSubmatch(l)
		if m == nil {
			if len(out) > 0 && (strings.HasPrefix(l, "  ") || strings.HasPrefix(l, "\t")) {
				out[len(out)-1] += " " + t
				continue
			}
			if len(out) > 0 {
				break
			}
			continue
		}
		s := strings.TrimSpace(strings.ReplaceAll(m[1], "**", ""))
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func stripFenceMarks(s string) string {
	s = strings.TrimRight(s, " \t\r\n")
	if i := strings.LastIndex(s, "```"); i >= 0 && !strings.Contains(s[i+3:], "\n") {
		s = s[:i]
	}
	return s
}

// formatExample writes an example reply block for the space.
func formatExample(root *space.Space, maxPerEdge int) string {
	var b strings.Builder
	b.WriteString(`{"principles": ["..."], "allowed": {`)
	for i := 0; i < root.NumEdges(); i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == 2 && root.NumEdges() > 4 {
			b.WriteString("..., ")
			i = root.NumEdges() - 1
		}
		fmt.Fprintf(&b, `"%d": [...]`, i)
	}
	b.WriteString("}}")
	_ = maxPerEdge
	return b.String()
}
