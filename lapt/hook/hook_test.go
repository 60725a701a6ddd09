package hook

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

type fn = func(*[]string) error

func rec(name string) fn {
	return func(log *[]string) error { *log = append(*log, name); return nil }
}

func call(t *testing.T, l *List[fn]) ([]string, error) {
	t.Helper()
	var log []string
	err := l.Call("test.Point", func(f fn) error { return f(&log) })
	return log, err
}

func TestOrderPriorityThenInsertion(t *testing.T) {
	var l List[fn]
	l.Add("b", 0, rec("b"))
	l.Add("late", 10, rec("late"))
	l.Add("c", 0, rec("c"))
	l.Add("early", -5, rec("early"))
	l.Add("d", 0, rec("d"))
	got, err := call(t, &l)
	want := []string{"early", "b", "c", "d", "late"}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("calls %v, %v; want %v", got, err, want)
	}
	if n := l.Names(); !slices.Equal(n, want) || l.Len() != 5 {
		t.Fatalf("Names %v Len %d", n, l.Len())
	}
}

func TestAddSameNameReplaces(t *testing.T) {
	var l List[fn]
	l.Add("a", 0, rec("a1"))
	l.Add("b", 0, rec("b"))
	l.Add("a", 1, rec("a2"))
	got, _ := call(t, &l)
	if want := []string{"b", "a2"}; !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
}

func TestRemove(t *testing.T) {
	var l List[fn]
	l.Add("a", 0, rec("a"))
	l.Add("b", 0, rec("b"))
	if !l.Remove("a") || l.Remove("a") || l.Remove("zz") {
		t.Fatal("Remove reports wrong")
	}
	got, _ := call(t, &l)
	if !slices.Equal(got, []string{"b"}) {
		t.Fatalf("calls %v", got)
	}
}

func TestZeroValueAndCopies(t *testing.T) {
	var empty List[fn]
	if got, err := call(t, &empty); err != nil || got != nil {
		t.Fatalf("empty list: %v %v", got, err)
	}
	var orig List[fn]
	orig.Add("a", 0, rec("a"))
	orig.Add("b", 0, rec("b"))
	cp := orig
	cp.Add("c", 0, rec("c"))
	cp.Remove("a")
	cp2 := orig
	cp2.Add("d", 0, rec("d"))
	got, _ := call(t, &orig)
	if !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("original changed through copies: %v", got)
	}
	if got, _ := call(t, &cp); !slices.Equal(got, []string{"b", "c"}) {
		t.Fatalf("copy: %v", got)
	}
	if got, _ := call(t, &cp2); !slices.Equal(got, []string{"a", "b", "d"}) {
		t.Fatalf("second copy: %v", got)
	}
}

var errStop = errors.New("stop here")

func TestErrorNamesSubscriberAndStops(t *testing.T) {
	var l List[fn]
	l.Add("a", 0, rec("a"))
	l.Add("bad", 0, func(*[]string) error { return errStop })
	l.Add("c", 0, rec("c"))
	got, err := call(t, &l)
	if !slices.Equal(got, []string{"a"}) {
		t.Fatalf("calls after the error: %v", got)
	}
	var he *Error
	if !errors.As(err, &he) || he.Name != "bad" || he.Point != "test.Point" || !errors.Is(err, errStop) {
		t.Fatalf("error %#v", err)
	}
	if want := `test.Point subscriber "bad": stop here`; err.Error() != want {
		t.Fatalf("message %q, want %q", err, want)
	}
}

func TestPanicBecomesError(t *testing.T) {
	var l List[fn]
	l.Add("boom", 0, func(*[]string) error { panic("nil map") })
	l.Add("after", 0, rec("after"))
	got, err := call(t, &l)
	var he *Error
	if !errors.As(err, &he) || he.Name != "boom" || he.Panic != "nil map" || he.Err != nil || len(got) != 0 {
		t.Fatalf("calls %v, error %#v", got, err)
	}
	if !strings.Contains(err.Error(), `subscriber "boom" panicked: nil map`) || len(he.Stack) == 0 {
		t.Fatalf("message %q, stack %d bytes", err, len(he.Stack))
	}
	if errors.Unwrap(err) != nil {
		t.Fatal("a non-error panic unwraps to nil")
	}
	l.Add("boom", 0, func(*[]string) error { panic(errStop) })
	if _, err := call(t, &l); !errors.Is(err, errStop) {
		t.Fatalf("an error panic unwraps to it: %v", err)
	}
}

func TestMerge(t *testing.T) {
	var a, b List[fn]
	a.Add("x", 0, rec("a.x"))
	a.Add("y", 0, rec("a.y"))
	b.Add("early", -1, rec("b.early"))
	b.Add("x", 5, rec("b.x"))
	b.Add("z", 0, rec("b.z"))
	a.Merge(b)
	got, err := call(t, &a)
	want := []string{"b.early", "a.y", "b.z", "b.x"}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("merged calls %v, want %v", got, want)
	}
	if got, _ := call(t, &b); !slices.Equal(got, []string{"b.early", "b.z", "b.x"}) {
		t.Fatalf("Merge changed its argument: %v", got)
	}
}
