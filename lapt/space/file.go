package space

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// MaxFileBytes is the largest space file [LoadFile] reads.
const MaxFileBytes = 1 << 20

// FileError is an error in a space file: the file, the 1-based line and
// column, and the field (a path such as "decisions[2].choices[1]") it is about.
type FileError struct {
	File      string
	Line, Col int
	Field     string
	Err       error
}

// Error writes "file:line:col: field: problem".
func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying problem.
func (e *FileError) Unwrap() error { return e.Err }

// LoadFile reads a space file (YAML, or JSON when the name ends in .json);
// see [ParseFile] for the format.
func LoadFile(path string) (*Space, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &FileError{File: path, Err: err}
	}
	if !fi.Mode().IsRegular() {
		return nil, &FileError{File: path, Err: errors.New("not a regular file")}
	}
	if fi.Size() > MaxFileBytes {
		return nil, &FileError{File: path, Err: fmt.Errorf("%d bytes, a space file may have at most %d", fi.Size(), MaxFileBytes)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &FileError{File: path, Err: err}
	}
	return ParseFile(path, data)
}

// ParseFile reads a space file's contents; name is used in errors and, when
// it ends in .json, the contents must be JSON (else YAML, of which JSON is a
// subset). Every error is a *[FileError]. The format:
//
//	name: macro                # the space's name (required)
//	about: one paragraph       # shown to reasoners (optional)
//	ops:                       # optional: op docs; then choices must use these names
//	  - {name: id, doc: "identity: the layer is skipped"}
//	  - {name: conv3x3, doc: "3x3 convolution"}
//	decisions:                 # per-layer choices (a macro space) ...
//	  - {name: l1, choices: [id, conv3x3]}
//	  - {name: l2, choices: [id, conv3x3]}
//	# ... or cell edges instead of decisions:
//	# edges:
//	#   - {from: 0, to: 1, ops: [none, skip, conv3x3]}
//	key_format: digits        # names (default), digits or nb201
//	key_prefix: ""            # digits only: text before and after the digits
//	key_suffix: ""
//	equivalence:               # optional, applied in order (see EquivalenceRule)
//	  - collapse: [l1, l2]     # where op id sits among l1, l2 does not matter
//	    op: id
//	  - irrelevant: [l2]       # l2 does not matter when l1 carries id
//	    when: l1
//	    op: id
//	  - ignore: [l2]           # l2 never matters
//
// An op named "none" or "zero", or one with "zero: true", is the zero op of a
// cell (an absent edge).
func ParseFile(name string, data []byte) (sp *Space, err error) {
	defer func() {
		if r := recover(); r != nil { // the YAML decoder on hostile input
			sp, err = nil, &FileError{File: name, Err: fmt.Errorf("unreadable file: %v", r)}
		}
	}()
	p := &fileParser{file: name}
	if len(data) > MaxFileBytes {
		return nil, p.errf(nil, "", "%d bytes, a space file may have at most %d", len(data), MaxFileBytes)
	}
	if strings.EqualFold(filepath.Ext(name), ".json") {
		if err := jsonSyntax(name, data); err != nil {
			return nil, err
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(name, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, p.errf(nil, "", "empty file: want a mapping with name and decisions or edges")
	}
	return p.space(doc.Content[0])
}

// jsonSyntax reports a JSON syntax error with its line and column.
func jsonSyntax(name string, data []byte) error {
	var v any
	err := json.Unmarshal(data, &v)
	if err == nil {
		return nil
	}
	fe := &FileError{File: name, Err: err}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		fe.Line, fe.Col = lineCol(data, se.Offset-1) // the offending byte
	}
	return fe
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) (int, int) {
	off = min(max(off, 0), int64(len(data)))
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

func yamlError(name string, err error) error {
	fe := &FileError{File: name, Err: err}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		fe.Line, _ = strconv.Atoi(m[1])
	}
	return fe
}

type fileParser struct{ file string }

func (p *fileParser) errf(n *yaml.Node, field, format string, args ...any) *FileError {
	e := &FileError{File: p.file, Field: field, Err: fmt.Errorf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	return e
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return fmt.Sprintf("%q", truncate(n.Value, 40))
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}

// fields reads a mapping whose keys must be among known.
func (p *fileParser) fields(n *yaml.Node, field string, known ...string) (map[string]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errf(n, field, "want a mapping, found %s", kindName(n))
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		sub := key
		if field != "" {
			sub = field + "." + key
		}
		if k.Kind != yaml.ScalarNode || !slices.Contains(known, key) {
			return nil, p.errf(k, sub, "unknown field (known: %s)", strings.Join(known, ", "))
		}
		if _, dup := out[key]; dup {
			return nil, p.errf(k, sub, "given twice")
		}
		out[key] = v
	}
	return out, nil
}

func (p *fileParser) str(n *yaml.Node, field string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", p.errf(n, field, "want a text value, found %s", kindName(n))
	}
	return n.Value, nil
}

func (p *fileParser) name(n *yaml.Node, field string) (string, error) {
	s, err := p.str(n, field)
	if err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", p.errf(n, field, "empty name")
	}
	if strings.ContainsAny(s, ",=|\n\t") {
		return "", p.errf(n, field, "name %q must not contain ',', '=', '|' or control characters", truncate(s, 40))
	}
	return s, nil
}

func (p *fileParser) list(n *yaml.Node, field string) ([]*yaml.Node, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.errf(n, field, "want a list, found %s", kindName(n))
	}
	return n.Content, nil
}

func (p *fileParser) names(n *yaml.Node, field string) ([]string, error) {
	items, err := p.list(n, field)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, p.errf(n, field, "empty list")
	}
	seen := map[string]bool{}
	var out []string
	for i, it := range items {
		f := fmt.Sprintf("%s[%d]", field, i)
		s, err := p.name(it, f)
		if err != nil {
			return nil, err
		}
		if seen[s] {
			return nil, p.errf(it, f, "%q listed twice", s)
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, nil
}

func (p *fileParser) int(n *yaml.Node, field string) (int, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, p.errf(n, field, "want a whole number, found %s", kindName(n))
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil || v < 0 || v > MaxEdges {
		return 0, p.errf(n, field, "want a node number 0..%d, found %q", MaxEdges, truncate(n.Value, 40))
	}
	return v, nil
}

func (p *fileParser) space(root *yaml.Node) (*Space, error) {
	f, err := p.fields(root, "", "name", "about", "ops", "decisions", "edges", "key_format", "key_prefix", "key_suffix", "equivalence")
	if err != nil {
		return nil, err
	}
	nn, ok := f["name"]
	if !ok {
		return nil, p.errf(root, "name", "missing: every space needs a name")
	}
	name, err := p.name(nn, "name")
	if err != nil {
		return nil, err
	}
	var opts []Option
	if n, ok := f["about"]; ok {
		about, err := p.str(n, "about")
		if err != nil {
			return nil, err
		}
		opts = append(opts, About(strings.TrimSpace(about)))
	}
	// Declared ops: docs, the zero flag, and the names choices may use.
	var declared []string
	zero := map[string]bool{}
	if n, ok := f["ops"]; ok {
		items, err := p.list(n, "ops")
		if err != nil {
			return nil, err
		}
		for i, it := range items {
			field := fmt.Sprintf("ops[%d]", i)
			of, err := p.fields(it, field, "name", "doc", "zero")
			if err != nil {
				return nil, err
			}
			on, ok := of["name"]
			if !ok {
				return nil, p.errf(it, field+".name", "missing")
			}
			op, err := p.name(on, field+".name")
			if err != nil {
				return nil, err
			}
			if slices.Contains(declared, op) {
				return nil, p.errf(on, field+".name", "op %q declared twice", op)
			}
			declared = append(declared, op)
			if dn, ok := of["doc"]; ok {
				doc, err := p.str(dn, field+".doc")
				if err != nil {
					return nil, err
				}
				opts = append(opts, OpDoc(op, strings.TrimSpace(doc)))
			}
			if zn, ok := of["zero"]; ok {
				var z bool
				if zn.Kind != yaml.ScalarNode || zn.Decode(&z) != nil {
					return nil, p.errf(zn, field+".zero", "want true or false, found %s", kindName(zn))
				}
				zero[op] = z
			}
		}
		if len(declared) > MaxOps {
			return nil, p.errf(n, "ops", "%d ops, at most %d are supported", len(declared), MaxOps)
		}
	}
	dn, hasDec := f["decisions"]
	en, hasEdges := f["edges"]
	var specs []EdgeSpec
	var specNodes []*yaml.Node
	switch {
	case hasDec && hasEdges:
		return nil, p.errf(en, "edges", "a space has decisions or cell edges, not both")
	case !hasDec && !hasEdges:
		return nil, p.errf(root, "decisions", "missing: give decisions (per-layer choices) or edges (a cell)")
	case hasDec:
		items, err := p.list(dn, "decisions")
		if err != nil {
			return nil, err
		}
		for i, it := range items {
			field := fmt.Sprintf("decisions[%d]", i)
			df, err := p.fields(it, field, "name", "choices")
			if err != nil {
				return nil, err
			}
			nn, ok := df["name"]
			if !ok {
				return nil, p.errf(it, field+".name", "missing: every decision needs a name")
			}
			dname, err := p.name(nn, field+".name")
			if err != nil {
				return nil, err
			}
			cn, ok := df["choices"]
			if !ok {
				return nil, p.errf(it, field+".choices", "missing: list the ops this decision chooses from")
			}
			ops, err := p.opNames(cn, field+".choices", declared)
			if err != nil {
				return nil, err
			}
			specs = append(specs, Choice(dname, ops...))
			specNodes = append(specNodes, it)
		}
	default:
		items, err := p.list(en, "edges")
		if err != nil {
			return nil, err
		}
		for i, it := range items {
			field := fmt.Sprintf("edges[%d]", i)
			ef, err := p.fields(it, field, "name", "from", "to", "ops")
			if err != nil {
				return nil, err
			}
			var sp EdgeSpec
			for _, k := range []string{"from", "to", "ops"} {
				if _, ok := ef[k]; !ok {
					return nil, p.errf(it, field+"."+k, "missing")
				}
			}
			if sp.From, err = p.int(ef["from"], field+".from"); err != nil {
				return nil, err
			}
			if sp.To, err = p.int(ef["to"], field+".to"); err != nil {
				return nil, err
			}
			if sp.To <= sp.From {
				return nil, p.errf(ef["to"], field+".to", "edge %d->%d: need from < to", sp.From, sp.To)
			}
			if nn, ok := ef["name"]; ok {
				if sp.Name, err = p.name(nn, field+".name"); err != nil {
					return nil, err
				}
			}
			if sp.Ops, err = p.opNames(ef["ops"], field+".ops", declared); err != nil {
				return nil, err
			}
			specs = append(specs, sp)
			specNodes = append(specNodes, it)
		}
	}
	if len(specs) == 0 || len(specs) > MaxEdges {
		n := dn
		if hasEdges {
			n = en
		}
		return nil, p.errf(n, map[bool]string{true: "edges", false: "decisions"}[hasEdges], "%d entries; between 1 and %d are supported", len(specs), MaxEdges)
	}
	seen := map[string]int{}
	for i, sp := range specs {
		en := sp.Name
		if en == "" {
			en = fmt.Sprintf("%d->%d", sp.From, sp.To)
		}
		if j, dup := seen[en]; dup {
			return nil, p.errf(specNodes[i], "", "name %q already used by entry %d (line %d)", en, j, specNodes[j].Line)
		}
		seen[en] = i
	}
	s, err := Define(name, specs, opts...)
	if err != nil {
		return nil, p.errf(root, "", "%v", err)
	}
	for i := range s.ops {
		if z, ok := zero[s.ops[i].Name]; ok {
			s.ops[i].Zero = z
		}
	}
	kf := KeyFormat{Name: "names"}
	if n, ok := f["key_format"]; ok {
		if kf.Name, err = p.str(n, "key_format"); err != nil {
			return nil, err
		}
		if !slices.Contains(KeyFormats, kf.Name) {
			return nil, p.errf(n, "key_format", "unknown key format %q (want %s)", truncate(kf.Name, 40), strings.Join(KeyFormats, ", "))
		}
	}
	for _, k := range []struct {
		field string
		dst   *string
	}{{"key_prefix", &kf.Prefix}, {"key_suffix", &kf.Suffix}} {
		if n, ok := f[k.field]; ok {
			if kf.Name != "digits" {
				return nil, p.errf(n, k.field, "only the digits key format takes a prefix or suffix")
			}
			if *k.dst, err = p.str(n, k.field); err != nil {
				return nil, err
			}
		}
	}
	if s, err = s.WithKeyFormat(kf); err != nil {
		return nil, p.errf(f["key_format"], "key_format", "%v", errors.Unwrap(err))
	}
	if n, ok := f["equivalence"]; ok {
		items, err := p.list(n, "equivalence")
		if err != nil {
			return nil, err
		}
		for i, it := range items {
			field := fmt.Sprintf("equivalence[%d]", i)
			r, err := p.rule(it, field)
			if err != nil {
				return nil, err
			}
			c, err := s.compileRule(r)
			if err != nil {
				return nil, p.errf(it, field, "%v", err)
			}
			s.rules = append(s.rules, c)
		}
	}
	return s, nil
}

func (p *fileParser) opNames(n *yaml.Node, field string, declared []string) ([]string, error) {
	ops, err := p.names(n, field)
	if err != nil {
		return nil, err
	}
	if declared != nil {
		for i, op := range ops {
			if !slices.Contains(declared, op) {
				return nil, p.errf(n.Content[i], fmt.Sprintf("%s[%d]", field, i), "op %q is not declared under ops (ops: %s)", op, strings.Join(declared, ", "))
			}
		}
	}
	return ops, nil
}

func (p *fileParser) rule(n *yaml.Node, field string) (EquivalenceRule, error) {
	var r EquivalenceRule
	f, err := p.fields(n, field, RuleIrrelevant, RuleCollapse, RuleIgnore, "when", "op")
	if err != nil {
		return r, err
	}
	for _, k := range []string{RuleIrrelevant, RuleCollapse, RuleIgnore} {
		if dn, ok := f[k]; ok {
			if r.Kind != "" {
				return r, p.errf(dn, field+"."+k, "a rule has one kind; this one is already %s", r.Kind)
			}
			r.Kind = k
			if r.Decisions, err = p.names(dn, field+"."+k); err != nil {
				return r, err
			}
		}
	}
	if r.Kind == "" {
		return r, p.errf(n, field, "want one of %s, %s or %s", RuleIrrelevant, RuleCollapse, RuleIgnore)
	}
	need := map[string]bool{RuleIrrelevant: true}
	if wn, ok := f["when"]; ok {
		if !need[r.Kind] {
			return r, p.errf(wn, field+".when", "only an irrelevant rule takes when")
		}
		if r.When, err = p.name(wn, field+".when"); err != nil {
			return r, err
		}
	} else if need[r.Kind] {
		return r, p.errf(n, field+".when", "missing: the decision whose op makes the others irrelevant")
	}
	if on, ok := f["op"]; ok {
		if r.Kind == RuleIgnore {
			return r, p.errf(on, field+".op", "an ignore rule takes no op")
		}
		if r.Op, err = p.name(on, field+".op"); err != nil {
			return r, err
		}
	} else if r.Kind != RuleIgnore {
		return r, p.errf(n, field+".op", "missing")
	}
	return r, nil
}
