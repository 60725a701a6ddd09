package llm

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A tolerant reader for the literals language models write: JSON, or
// Python-style dicts (single quotes, True/False/None, tuples, sets, trailing
// commas, # comments, bare words). It never panics and bounds its depth.

// valueKind tells what a parsed literal is.
type valueKind int

const (
	kNull valueKind = iota
	kBool
	kNumber
	kString
	kList // list, tuple or set
	kMap
)

// value is a parsed literal. Maps keep their keys in order and may have any
// literal as a key (Python tuples, numbers).
type value struct {
	kind  valueKind
	num   float64
	str   string // string, bare word, or the number's source text
	bare  bool   // str is an unquoted word
	items []value
	keys  []value // for maps, parallel to items
}

const maxDepth = 48

type litParser struct {
	s     string
	pos   int
	depth int
}

var errNotLiteral = errors.New("not a literal")

// parseLiteral parses s as one literal (surrounding space allowed).
func parseLiteral(s string) (value, error) {
	p := &litParser{s: s}
	v, err := p.value()
	if err != nil {
		return value{}, err
	}
	p.space()
	if p.pos < len(p.s) {
		return value{}, fmt.Errorf("unexpected %q after the literal at byte %d", p.peekRune(), p.pos)
	}
	return v, nil
}

func (p *litParser) peekRune() string {
	if p.pos >= len(p.s) {
		return "end"
	}
	r, _ := utf8.DecodeRuneInString(p.s[p.pos:])
	return string(r)
}

// space skips white space and comments.
func (p *litParser) space() {
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			p.pos++
		case c == '#' || (c == '/' && p.pos+1 < len(p.s) && p.s[p.pos+1] == '/'):
			for p.pos < len(p.s) && p.s[p.pos] != '\n' {
				p.pos++
			}
		case c == '/' && p.pos+1 < len(p.s) && p.s[p.pos+1] == '*':
			end := strings.Index(p.s[p.pos+2:], "*/")
			if end < 0 {
				p.pos = len(p.s)
			} else {
				p.pos += end + 4
			}
		default:
			r, n := utf8.DecodeRuneInString(p.s[p.pos:])
			if r == '\u00a0' || r == '\u200b' || r == '\ufeff' {
				p.pos += n
				continue
			}
			return
		}
	}
}

func (p *litParser) value() (value, error) {
	p.space()
	if p.pos >= len(p.s) {
		return value{}, errors.New("unexpected end of text")
	}
	c := p.s[p.pos]
	switch {
	case c == '{':
		return p.container('{', '}')
	case c == '[':
		return p.container('[', ']')
	case c == '(':
		return p.container('(', ')')
	case c == '"' || c == '\'':
		s, err := p.quoted()
		return value{kind: kString, str: s}, err
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	}
	r, _ := utf8.DecodeRuneInString(p.s[p.pos:])
	if r == '“' || r == '‘' {
		s, err := p.quoted()
		return value{kind: kString, str: s}, err
	}
	if isWordRune(r) {
		w := p.word()
		switch w {
		case "True", "true":
			return value{kind: kBool, num: 1, str: w}, nil
		case "False", "false":
			return value{kind: kBool, str: w}, nil
		case "None", "null", "nil":
			return value{kind: kNull, str: w}, nil
		}
		return value{kind: kString, str: w, bare: true}, nil
	}
	return value{}, fmt.Errorf("unexpected %q at byte %d", string(r), p.pos)
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// word reads a bare word: letters, digits, '_', and the inner characters
// '-', '>', '.', ' ' when followed by more word, so "nor_conv_3x3",
// "edge-0", "0->1" and "conv 3x3" read as one word.
func (p *litParser) word() string {
	start := p.pos
	for p.pos < len(p.s) {
		r, n := utf8.DecodeRuneInString(p.s[p.pos:])
		if isWordRune(r) {
			p.pos += n
			continue
		}
		if (r == '-' || r == '>' || r == '.' || r == ' ' || r == '<' || r == '→') && p.pos+n < len(p.s) {
			// Continue the word only through a short run of joiners followed by a word rune.
			q := p.pos + n
			for q < len(p.s) && q-p.pos < 4 && (p.s[q] == '-' || p.s[q] == '>' || p.s[q] == ' ' || p.s[q] == '<') {
				q++
			}
			if q < len(p.s) {
				r2, _ := utf8.DecodeRuneInString(p.s[q:])
				if isWordRune(r2) {
					p.pos = q
					continue
				}
			}
		}
		break
	}
	return strings.TrimSpace(p.s[start:p.pos])
}

func (p *litParser) number() (value, error) {
	start := p.pos
	if p.s[p.pos] == '-' || p.s[p.pos] == '+' {
		p.pos++
	}
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '_' ||
			((c == '-' || c == '+') && (p.s[p.pos-1] == 'e' || p.s[p.pos-1] == 'E')) {
			p.pos++
			continue
		}
		break
	}
	text := p.s[start:p.pos]
	// A number glued to letters or an arrow is a word ("3x3", "0->1").
	if p.pos < len(p.s) {
		r, _ := utf8.DecodeRuneInString(p.s[p.pos:])
		if isWordRune(r) || (p.s[p.pos] == '-' && p.pos+1 < len(p.s) && p.s[p.pos+1] == '>') || r == '→' {
			p.pos = start
			if !isWordRune(rune(p.s[p.pos])) {
				return value{}, fmt.Errorf("unexpected %q at byte %d", p.peekRune(), p.pos)
			}
			return value{kind: kString, str: p.word(), bare: true}, nil
		}
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(text, "_", ""), 64)
	if err != nil {
		return value{}, fmt.Errorf("bad number %q at byte %d", text, start)
	}
	return value{kind: kNumber, num: f, str: text}, nil
}

func (p *litParser) quoted() (string, error) {
	start := p.pos
	q, n := utf8.DecodeRuneInString(p.s[p.pos:])
	closing := q
	switch q {
	case '“':
		closing = '”'
	case '‘':
		closing = '’'
	}
	p.pos += n
	// Python triple quotes.
	if (q == '"' || q == '\'') && strings.HasPrefix(p.s[p.pos:], string([]rune{q, q})) {
		p.pos += 2
		end := strings.Index(p.s[p.pos:], strings.Repeat(string(q), 3))
		if end < 0 {
			return "", fmt.Errorf("unterminated string at byte %d", start)
		}
		s := p.s[p.pos : p.pos+end]
		p.pos += end + 3
		return s, nil
	}
	var b strings.Builder
	for p.pos < len(p.s) {
		r, n := utf8.DecodeRuneInString(p.s[p.pos:])
		p.pos += n
		switch {
		case r == closing:
			return b.String(), nil
		case r == '\\' && p.pos < len(p.s):
			e := p.s[p.pos]
			p.pos++
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b', 'f':
			case 'u':
				if p.pos+4 <= len(p.s) {
					if x, err := strconv.ParseUint(p.s[p.pos:p.pos+4], 16, 32); err == nil {
						b.WriteRune(rune(x))
						p.pos += 4
						continue
					}
				}
				b.WriteByte('u')
			default:
				b.WriteByte(e)
			}
		case r == '\n' && q != '"' && q != '\'':
			return "", fmt.Errorf("unterminated string at byte %d", start)
		default:
			b.WriteRune(r)
		}
	}
	return "", fmt.Errorf("unterminated string at byte %d", start)
}

// container reads a dict, set, list or tuple.
func (p *litParser) container(open, close byte) (value, error) {
	start := p.pos
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return value{}, fmt.Errorf("nesting deeper than %d at byte %d", maxDepth, start)
	}
	p.pos++ // open
	out := value{kind: kList}
	isMap := false
	first := true
	for {
		p.space()
		if p.pos >= len(p.s) {
			return value{}, fmt.Errorf("unclosed %q opened at byte %d", string(open), start)
		}
		if p.s[p.pos] == close {
			p.pos++
			if isMap {
				out.kind = kMap
			}
			return out, nil
		}
		if !first {
			if p.s[p.pos] != ',' && p.s[p.pos] != ';' {
				return value{}, fmt.Errorf("expected ',' or %q at byte %d, found %q", string(close), p.pos, p.peekRune())
			}
			p.pos++
			p.space()
			if p.pos < len(p.s) && p.s[p.pos] == close {
				continue // trailing comma
			}
		}
		item, err := p.value()
		if err != nil {
			return value{}, err
		}
		p.space()
		hasColon := p.pos < len(p.s) && (p.s[p.pos] == ':' || p.s[p.pos] == '=')
		if first && open == '{' {
			isMap = hasColon
		}
		first = false
		if isMap {
			if !hasColon {
				return value{}, fmt.Errorf("expected ':' after a key at byte %d", p.pos)
			}
			p.pos++
			v, err := p.value()
			if err != nil {
				return value{}, err
			}
			out.keys = append(out.keys, item)
			out.items = append(out.items, v)
			continue
		}
		if hasColon {
			return value{}, fmt.Errorf("unexpected ':' at byte %d", p.pos)
		}
		out.items = append(out.items, item)
	}
}

// text returns a short rendering of v for error messages.
func (v value) text() string {
	switch v.kind {
	case kNull:
		return "null"
	case kBool:
		if v.num != 0 {
			return "true"
		}
		return "false"
	case kNumber:
		return v.str
	case kString:
		if v.bare {
			return v.str
		}
		return strconv.Quote(v.str)
	case kList:
		parts := make([]string, 0, len(v.items))
		for i, it := range v.items {
			if i == 8 {
				parts = append(parts, "...")
				break
			}
			parts = append(parts, it.text())
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case kMap:
		return fmt.Sprintf("{... %d keys}", len(v.keys))
	}
	return "?"
}
