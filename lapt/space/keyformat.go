package space

import (
	"fmt"
	"slices"
	"strings"
)

// KeyFormat names the text form of a space's architectures: the keys of its
// results table. A space file chooses one with "key_format"; [WithKeyFormat]
// sets one in Go.
type KeyFormat struct {
	// Name is "names" (op names joined by commas in decision order, the
	// default), "digits" (one digit per decision: the index of the chosen op
	// among that decision's choices, in the order the space lists them, e.g.
	// "0132") or "nb201" (NAS-Bench-201 arch strings; needs the NB201 cell
	// wiring).
	Name string `json:"name"`
	// Prefix and Suffix surround the digits of a "digits" key, e.g. "64-"
	// and "-basic"; they are ignored by the other formats.
	Prefix string `json:"prefix,omitempty"`
	Suffix string `json:"suffix,omitempty"`
}

// KeyFormats lists the key format names.
var KeyFormats = []string{"names", "digits", "nb201"}

// codec returns the Codec of the key format for s, or an error naming why s
// cannot use it.
func (k KeyFormat) codec(s *Space) (Codec, error) {
	switch k.Name {
	case "", "names":
		return listCodec{}, nil
	case "digits":
		for _, e := range s.edges {
			if len(e.Choices) > 10 {
				return nil, fmt.Errorf("key format digits: decision %s has %d choices, at most 10 fit in one digit", e.Name, len(e.Choices))
			}
		}
		return digitsCodec{prefix: k.Prefix, suffix: k.Suffix}, nil
	case "nb201":
		if s.nodes != 4 || len(s.edges) != len(cellWiring) {
			return nil, fmt.Errorf("key format nb201 needs the NB201 cell: 4 nodes, 6 edges 0->1, 0->2, 1->2, 0->3, 1->3, 2->3")
		}
		for i, w := range cellWiring {
			if s.edges[i].From != w[0] || s.edges[i].To != w[1] {
				return nil, fmt.Errorf("key format nb201: edge %d is %d->%d, the NB201 order wants %d->%d", i, s.edges[i].From, s.edges[i].To, w[0], w[1])
			}
		}
		return nb201Codec{}, nil
	}
	return nil, fmt.Errorf("unknown key format %q (want %s)", k.Name, strings.Join(KeyFormats, ", "))
}

// WithKeyFormat returns a copy of s (a root space) whose text form, and so
// the keys its tables are read with, follow k.
func (s *Space) WithKeyFormat(k KeyFormat) (*Space, error) {
	if s.IsSubSpace() {
		return nil, fmt.Errorf("space %s: WithKeyFormat needs the root space, not a sub-space", s.name)
	}
	c, err := k.codec(s)
	if err != nil {
		return nil, fmt.Errorf("space %s: %w", s.name, err)
	}
	cp := *s
	cp.codec = c
	cp.keyFormat = k
	if cp.keyFormat.Name == "" {
		cp.keyFormat.Name = "names"
	}
	return &cp, nil
}

// KeyFormat returns the key format a space file or [Space.WithKeyFormat]
// set, or the zero KeyFormat for a space built in Go with its own codec.
func (s *Space) KeyFormat() KeyFormat { return s.keyFormat }

// digitsCodec writes one digit per decision: the index of the op among the
// decision's choices.
type digitsCodec struct{ prefix, suffix string }

func (c digitsCodec) Format(s *Space, a Arch) string {
	var b strings.Builder
	b.WriteString(c.prefix)
	for i, e := range s.edges {
		k := slices.Index(e.Choices, a.Op(i))
		if k < 0 || k > 9 {
			b.WriteByte('?')
			continue
		}
		b.WriteByte(byte('0' + k))
	}
	b.WriteString(c.suffix)
	return b.String()
}

func (c digitsCodec) Parse(s *Space, text string) (Arch, error) {
	if !strings.HasPrefix(text, c.prefix) {
		return Arch{}, fmt.Errorf("space %s: key %q: byte 0: want prefix %q", s.name, truncate(text, 60), c.prefix)
	}
	body := strings.TrimPrefix(text, c.prefix)
	if !strings.HasSuffix(body, c.suffix) {
		return Arch{}, fmt.Errorf("space %s: key %q: want suffix %q", s.name, truncate(text, 60), c.suffix)
	}
	body = strings.TrimSuffix(body, c.suffix)
	if len(body) != len(s.edges) {
		return Arch{}, fmt.Errorf("space %s: key %q has %d digits, want %d (one per decision: %s)", s.name, truncate(text, 60), len(body), len(s.edges), s.edgeNames())
	}
	ops := make([]int, len(body))
	for i := 0; i < len(body); i++ {
		d := body[i]
		ch := s.edges[i].Choices
		if d < '0' || int(d-'0') >= len(ch) {
			return Arch{}, fmt.Errorf("space %s: key %q: byte %d: digit %q for decision %s, want 0..%d", s.name, truncate(text, 60), len(c.prefix)+i, string(d), s.edges[i].Name, len(ch)-1)
		}
		ops[i] = ch[d-'0']
	}
	return NewArch(ops...)
}
