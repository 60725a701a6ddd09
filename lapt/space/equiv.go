package space

import (
	"fmt"
	"slices"
	"strings"
)

// EquivalenceFunc returns the representative of a's class of functionally
// identical architectures. It must return an architecture with a's number of
// edges and give every member of a class the same representative; a search
// answers a proposal whose representative was already evaluated for free.
type EquivalenceFunc func(a Arch) Arch

// Rule kinds of an [EquivalenceRule].
const (
	// RuleIrrelevant: when decision When carries op Op, the decisions in
	// Decisions do not matter (e.g. the kernel size of a layer that is
	// skipped). The canonical form sets them to their first choice.
	RuleIrrelevant = "irrelevant"
	// RuleCollapse: among Decisions, where op Op sits does not matter, only
	// the order of the other ops (e.g. identity layers inside one stage).
	// The canonical form moves every Op to the end of Decisions, keeping the
	// other ops in order. The decisions must have the same choices.
	RuleCollapse = "collapse"
	// RuleIgnore: the decisions in Decisions never matter. The canonical
	// form sets them to their first choice.
	RuleIgnore = "ignore"
)

// EquivalenceRule declares which architectures are functionally identical,
// by decision (edge) and op names. See [RuleIrrelevant], [RuleCollapse] and
// [RuleIgnore].
type EquivalenceRule struct {
	// Kind is RuleIrrelevant, RuleCollapse or RuleIgnore.
	Kind string `json:"kind"`
	// When is the decision whose op triggers a RuleIrrelevant rule.
	When string `json:"when,omitempty"`
	// Op is the triggering op (RuleIrrelevant) or the op whose position does
	// not matter (RuleCollapse).
	Op string `json:"op,omitempty"`
	// Decisions are the decisions the rule acts on.
	Decisions []string `json:"decisions"`
}

type compiledRule struct {
	kind      string
	when, op  int
	decisions []int
}

// String writes the rule as a sentence, e.g. "op id on l1 makes l2 irrelevant".
func (r EquivalenceRule) String() string {
	ds := strings.Join(r.Decisions, ", ")
	switch r.Kind {
	case RuleIrrelevant:
		return fmt.Sprintf("op %s on %s makes %s irrelevant", r.Op, r.When, ds)
	case RuleCollapse:
		return fmt.Sprintf("the position of op %s among %s does not matter", r.Op, ds)
	case RuleIgnore:
		return fmt.Sprintf("%s never matter", ds)
	}
	return fmt.Sprintf("rule %q", r.Kind)
}

// compileRule checks r against s's decisions and ops.
func (s *Space) compileRule(r EquivalenceRule) (compiledRule, error) {
	c := compiledRule{kind: r.Kind, when: -1, op: -1}
	if len(r.Decisions) == 0 {
		return c, fmt.Errorf("rule %s: no decisions", r.Kind)
	}
	seen := map[int]bool{}
	for _, d := range r.Decisions {
		i := s.edgeIndex(d)
		if i < 0 {
			return c, fmt.Errorf("rule %s: unknown decision %q (decisions: %s)", r.Kind, d, s.edgeNames())
		}
		if seen[i] {
			return c, fmt.Errorf("rule %s: decision %q listed twice", r.Kind, d)
		}
		seen[i] = true
		c.decisions = append(c.decisions, i)
	}
	opOn := func(edge int, name string) (int, error) {
		id, ok := s.OpID(name)
		if !ok || !slices.Contains(s.edges[edge].Choices, id) {
			return -1, fmt.Errorf("rule %s: op %q is not a choice of %s (choices: %s)", r.Kind, name, s.edges[edge].Name, s.opList(s.edges[edge].Choices))
		}
		return id, nil
	}
	var err error
	switch r.Kind {
	case RuleIrrelevant:
		if c.when = s.edgeIndex(r.When); c.when < 0 {
			return c, fmt.Errorf("rule irrelevant: unknown decision %q in when (decisions: %s)", r.When, s.edgeNames())
		}
		if seen[c.when] {
			return c, fmt.Errorf("rule irrelevant: decision %q cannot make itself irrelevant", r.When)
		}
		if c.op, err = opOn(c.when, r.Op); err != nil {
			return c, err
		}
	case RuleCollapse:
		if len(c.decisions) < 2 {
			return c, fmt.Errorf("rule collapse: needs at least two decisions, got %d", len(c.decisions))
		}
		first := s.edges[c.decisions[0]].Choices
		for _, i := range c.decisions[1:] {
			a, b := slices.Clone(first), slices.Clone(s.edges[i].Choices)
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				return c, fmt.Errorf("rule collapse: decisions %s and %s have different choices; ops can only move between decisions with the same choices", s.edges[c.decisions[0]].Name, s.edges[i].Name)
			}
		}
		if c.op, err = opOn(c.decisions[0], r.Op); err != nil {
			return c, err
		}
	case RuleIgnore:
		if r.Op != "" || r.When != "" {
			return c, fmt.Errorf("rule ignore takes only decisions, not op or when")
		}
	default:
		return c, fmt.Errorf("unknown rule kind %q (want %s, %s or %s)", r.Kind, RuleIrrelevant, RuleCollapse, RuleIgnore)
	}
	return c, nil
}

func (c compiledRule) apply(s *Space, a Arch) Arch {
	switch c.kind {
	case RuleIrrelevant:
		if a.Op(c.when) != c.op {
			return a
		}
		fallthrough
	case RuleIgnore:
		for _, i := range c.decisions {
			a.ops[i] = uint8(s.edges[i].Choices[0])
		}
	case RuleCollapse:
		var keep [MaxEdges]uint8
		k := 0
		for _, i := range c.decisions {
			if int(a.ops[i]) != c.op {
				keep[k] = a.ops[i]
				k++
			}
		}
		for j, i := range c.decisions {
			if j < k {
				a.ops[i] = keep[j]
			} else {
				a.ops[i] = uint8(c.op)
			}
		}
	}
	return a
}

// WithRules returns a copy of s (a root space) whose [Space.Canonical] also
// applies rules, in order, until nothing changes. Errors name the rule and
// the unknown decision or op.
func (s *Space) WithRules(rules ...EquivalenceRule) (*Space, error) {
	if s.IsSubSpace() {
		return nil, fmt.Errorf("space %s: WithRules needs the root space, not a sub-space", s.name)
	}
	cp := *s
	cp.rules = slices.Clone(s.rules)
	for k, r := range rules {
		c, err := s.compileRule(r)
		if err != nil {
			return nil, fmt.Errorf("space %s: equivalence rule %d: %w", s.name, k+1, err)
		}
		cp.rules = append(cp.rules, c)
	}
	return &cp, nil
}

// WithEquivalence returns a copy of s (a root space) whose
// [Space.Canonical] also applies fn, after the built-in dead-edge rule and
// any declared rules. A nil fn removes a function set before.
func (s *Space) WithEquivalence(fn EquivalenceFunc) *Space {
	cp := *s
	cp.equiv = fn
	if s.root != nil {
		root := *s.root
		root.equiv = fn
		cp.root = &root
	}
	return &cp
}

// Equivalence is the [Define] option form of [Space.WithEquivalence].
func Equivalence(fn EquivalenceFunc) Option { return func(s *Space) { s.equiv = fn } }

// HasEquivalence reports whether s declares equivalence beyond the built-in
// dead-edge rule (rules or a function).
func (s *Space) HasEquivalence() bool { return len(s.rules) > 0 || s.equiv != nil }

// HasEquivalenceFunc reports whether s has a Go [EquivalenceFunc].
func (s *Space) HasEquivalenceFunc() bool { return s.equiv != nil }

// Canonical returns the representative of a's functional class: first, on a
// cell space with a zero op, edges that cannot carry information from the
// cell's input to its output (the zero op cuts them off) are set to the zero
// op; then the space's declared equivalence rules ([Space.WithRules], a
// space file's "equivalence") and function ([Space.WithEquivalence]) are
// applied. Two architectures with the same canonical form compute the same
// function, so a search need not pay twice. A wrong edge count returns a
// unchanged.
func (s *Space) Canonical(a Arch) Arch {
	if a.Len() != len(s.edges) {
		return a
	}
	a = s.deadEdges(a)
	if len(s.rules) > 0 {
		for range len(s.rules) + 1 {
			b := a
			for _, r := range s.rules {
				b = r.apply(s, b)
			}
			if b == a {
				break
			}
			a = b
		}
	}
	if s.equiv != nil {
		if b := s.equiv(a); b.Len() == a.Len() {
			a = b
		}
	}
	return a
}

// Rules returns the space's declared equivalence rules.
func (s *Space) Rules() []EquivalenceRule {
	out := make([]EquivalenceRule, len(s.rules))
	for k, c := range s.rules {
		r := EquivalenceRule{Kind: c.kind}
		if c.when >= 0 {
			r.When = s.edges[c.when].Name
		}
		if c.op >= 0 {
			r.Op = s.OpName(c.op)
		}
		for _, i := range c.decisions {
			r.Decisions = append(r.Decisions, s.edges[i].Name)
		}
		out[k] = r
	}
	return out
}
