// Package hook holds named, ordered lists of subscribers to one hook point
// (a run's "after every trial", a training's "after every epoch"). The core
// calls a [List] where it used to call one function; notebook helpers, the
// CLI and user code each Add their own subscriber without knowing about the
// others, and a failing subscriber is reported by name.
//
// The shape follows GoMLX's train.Loop.OnStep(name, priority, fn): lower
// priorities are called first, equal priorities in the order they were
// added.
package hook

import (
	"fmt"
	"runtime/debug"
	"slices"
)

// List is the ordered set of subscribers of one hook point; F is the
// subscriber's function type, e.g. func(Trial) error. The zero value is an
// empty list ready to use.
//
// A List is a value: copying it (a Config copied into a run) copies the
// subscribers, and Add or Remove on the copy never changes the original.
// Add, Remove and Call must not run concurrently on the same List.
type List[F any] struct {
	subs []sub[F]
}

type sub[F any] struct {
	name     string
	priority int
	fn       F
}

// Add subscribes fn under name at priority (lower first; 0 is the usual
// value, negative ones run before it). A subscriber already registered under
// name is replaced, so re-running the code that attaches it (a notebook
// cell) does not call it twice; give distinct subscribers distinct names.
func (l *List[F]) Add(name string, priority int, fn F) {
	subs := slices.DeleteFunc(slices.Clone(l.subs), func(s sub[F]) bool { return s.name == name })
	i := len(subs)
	for i > 0 && subs[i-1].priority > priority {
		i--
	}
	l.subs = slices.Insert(subs, i, sub[F]{name: name, priority: priority, fn: fn})
}

// Merge adds every subscriber of other to l, as [List.Add] would, in other's
// call order: a subscriber of other replaces one of l with the same name.
// Merging two runs' hooks (a study's and a user's) gives one list that
// calls both.
func (l *List[F]) Merge(other List[F]) {
	for _, s := range other.subs {
		l.Add(s.name, s.priority, s.fn)
	}
}

// Remove unsubscribes name and reports whether it was subscribed.
func (l *List[F]) Remove(name string) bool {
	i := slices.IndexFunc(l.subs, func(s sub[F]) bool { return s.name == name })
	if i < 0 {
		return false
	}
	l.subs = slices.Delete(slices.Clone(l.subs), i, i+1)
	return true
}

// Len is the number of subscribers.
func (l *List[F]) Len() int { return len(l.subs) }

// Names lists the subscribers in call order.
func (l *List[F]) Names() []string {
	out := make([]string, len(l.subs))
	for i, s := range l.subs {
		out[i] = s.name
	}
	return out
}

// Call calls invoke once per subscriber, in order; invoke passes the hook
// point's arguments to the subscriber and returns its error. The first
// subscriber that returns an error or panics stops the calls: Call returns
// an [*Error] naming the hook point (point, e.g. "search.OnTrial") and the
// subscriber. With no subscribers Call returns nil.
func (l *List[F]) Call(point string, invoke func(F) error) error {
	for _, s := range l.subs {
		if err := callOne(point, s, invoke); err != nil {
			return err
		}
	}
	return nil
}

func callOne[F any](point string, s sub[F], invoke func(F) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &Error{Point: point, Name: s.name, Panic: v, Stack: debug.Stack()}
		}
	}()
	if e := invoke(s.fn); e != nil {
		return &Error{Point: point, Name: s.name, Err: e}
	}
	return nil
}

// Error is a subscriber's failure: the error it returned, or the value it
// panicked with.
type Error struct {
	// Point is the hook point, e.g. "search.OnTrial".
	Point string
	// Name is the subscriber's name as given to Add.
	Name string
	// Err is the error the subscriber returned (nil when it panicked).
	Err error
	// Panic is the value the subscriber panicked with (nil when it returned
	// an error); Stack is the goroutine's stack at the panic.
	Panic any
	Stack []byte
}

// Error names the hook point and the subscriber.
func (e *Error) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("%s subscriber %q panicked: %v", e.Point, e.Name, e.Panic)
	}
	return fmt.Sprintf("%s subscriber %q: %v", e.Point, e.Name, e.Err)
}

// Unwrap returns the subscriber's error, or the panic value when it is an
// error, so that errors.Is and errors.As see through the wrapping.
func (e *Error) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	if err, ok := e.Panic.(error); ok {
		return err
	}
	return nil
}
