package space

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxEdges is the largest number of edges (decisions) an architecture can have.
const MaxEdges = 32

// MaxOps is the largest number of distinct operations a space can have.
const MaxOps = 64

// Arch is an architecture: one operation id per edge. It is an immutable,
// comparable value (usable as a map key); its meaning comes from the [Space]
// that describes it. The zero Arch has no edges.
type Arch struct {
	n   uint8
	ops [MaxEdges]uint8
}

// NewArch returns the architecture with the given operation id per edge.
func NewArch(ops ...int) (Arch, error) {
	var a Arch
	if len(ops) > MaxEdges {
		return a, fmt.Errorf("space: %d edges, at most %d are supported", len(ops), MaxEdges)
	}
	for i, op := range ops {
		if op < 0 || op >= MaxOps {
			return a, fmt.Errorf("space: edge %d: op id %d out of range [0,%d)", i, op, MaxOps)
		}
		a.ops[i] = uint8(op)
	}
	a.n = uint8(len(ops))
	return a, nil
}

// MustArch is like [NewArch] but panics on invalid input. It is meant for
// tests and examples with constant arguments.
func MustArch(ops ...int) Arch {
	a, err := NewArch(ops...)
	if err != nil {
		panic(err)
	}
	return a
}

// Len returns the number of edges.
func (a Arch) Len() int { return int(a.n) }

// Op returns the operation id on edge i, or -1 if i is out of range.
func (a Arch) Op(i int) int {
	if i < 0 || i >= int(a.n) {
		return -1
	}
	return int(a.ops[i])
}

// Ops returns a fresh slice with the operation id of every edge.
func (a Arch) Ops() []int {
	out := make([]int, a.n)
	for i := range out {
		out[i] = int(a.ops[i])
	}
	return out
}

// With returns a copy of a with edge i set to op. Out-of-range arguments
// return a unchanged.
func (a Arch) With(i, op int) Arch {
	if i < 0 || i >= int(a.n) || op < 0 || op >= MaxOps {
		return a
	}
	a.ops[i] = uint8(op)
	return a
}

// IsZero reports whether a is the zero Arch (no edges).
func (a Arch) IsZero() bool { return a.n == 0 }

// String returns the ids as "[3 3 1 0 2 4]". Use [Space.Format] for a
// space's own text form.
func (a Arch) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < int(a.n); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(int(a.ops[i])))
	}
	b.WriteByte(']')
	return b.String()
}

// MarshalText encodes the architecture as its id list, e.g. "3,3,1,0,2,4",
// so it can be a JSON value or key without knowing its space.
func (a Arch) MarshalText() ([]byte, error) {
	var b strings.Builder
	for i := 0; i < int(a.n); i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(int(a.ops[i])))
	}
	return []byte(b.String()), nil
}

// MarshalBinary encodes the architecture in its text form, so encoding/gob
// (kernelext.Keep carries results across notebook cells with it) can store
// an Arch.
func (a Arch) MarshalBinary() ([]byte, error) { return a.MarshalText() }

// UnmarshalBinary decodes the form written by MarshalBinary.
func (a *Arch) UnmarshalBinary(data []byte) error { return a.UnmarshalText(data) }

// UnmarshalText decodes the form written by MarshalText.
func (a *Arch) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	if s == "" {
		*a = Arch{}
		return nil
	}
	parts := strings.Split(s, ",")
	ops := make([]int, len(parts))
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return fmt.Errorf("space: arch id list %q: element %d: %v", s, i, err)
		}
		ops[i] = v
	}
	na, err := NewArch(ops...)
	if err != nil {
		return err
	}
	*a = na
	return nil
}
