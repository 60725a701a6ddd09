package principles

import (
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/space"
)

// Issue 13 row 10: a set that allows only "none" on every path from the
// cell's input to its output is refused; one open path is enough.
func TestValidateRefusesNoInformationFlow(t *testing.T) {
	sp := space.NB201() // ops: 0 none, 1 skip, 2 conv1x1, 3 conv3x3, 4 pool
	for _, c := range []struct {
		allowed [][]int
		ok      bool
	}{
		{[][]int{{0}, {0}, {0}, {0}, {0}, {0}}, false},
		{[][]int{{3}, {3}, {3}, {0}, {0}, {0}}, false}, // nothing enters node 3
		{[][]int{{0}, {0}, {3}, {0}, {3}, {3}}, false}, // nothing leaves node 0
		{[][]int{{0}, {0}, {0}, {3}, {0}, {0}}, true},  // 0->3 directly
		{[][]int{{1}, {0}, {0}, {0}, {3}, {0}}, true},  // 0->1->3
		{[][]int{{0, 3}, {0}, {0}, {0}, {0, 1}, {0}}, true},
	} {
		err := Set{Allowed: c.allowed}.Validate(sp, 0)
		if c.ok && err != nil {
			t.Errorf("%v: %v", c.allowed, err)
		}
		if !c.ok && (err == nil || !strings.Contains(err.Error(), "no path from the cell's input")) {
			t.Errorf("%v: got %v, want a no-path error", c.allowed, err)
		}
	}
}
