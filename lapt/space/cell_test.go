package space_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/space"
)

func ExampleParseCell() {
	for _, text := range []string{
		"|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|",
		"64-41414-3_12_030",
	} {
		sp, a, err := space.ParseCell(text)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(sp.Name(), a, sp.Format(a) == text)
	}
	// Output:
	// nb201 [3 1 0 4 2 1] true
	// transnas-micro [3 1 2 0 3 0] true
}

// Both built-in cell spaces take their ops and wiring from the one table.
func TestCellTables(t *testing.T) {
	ops := space.CellOps()
	if len(ops) != 5 || ops[space.OpConv3x3].Name != space.NameConv3x3 || !ops[space.OpNone].Zero {
		t.Fatalf("CellOps = %+v", ops)
	}
	for _, sp := range []*space.Space{space.NB201(), space.TransNASMicro()} {
		for i, e := range sp.Edges() {
			if w := space.CellWiring()[i]; e.From != w[0] || e.To != w[1] {
				t.Errorf("%s edge %d: %d->%d, wiring %v", sp.Name(), i, e.From, e.To, w)
			}
		}
		for id, o := range sp.Ops() {
			if o.Name != ops[id].Name {
				t.Errorf("%s op %d: %s, table %s", sp.Name(), id, o.Name, ops[id].Name)
			}
		}
	}
	if id, ok := space.CellOpID("avg_pool_3x3"); !ok || id != space.OpAvgPool {
		t.Errorf("CellOpID = %d %v", id, ok)
	}
	if _, ok := space.CellOpID("conv"); ok {
		t.Error("unknown op accepted")
	}
}

func TestParseCellErrors(t *testing.T) {
	for bad, want := range map[string]string{
		"":        "empty cell",
		"   ":     "empty cell",
		"|foo~0|": "want 3 node groups",
		"|nor_conv_3x3~1|+|none~0|none~1|+|none~0|none~1|none~2|": "must be 0",
		"|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|":         "unknown op",
		"64-41414-4_00_000": "bad op digit",
		"64-41414-0_0_000":  "a_bc_def",
		"abc":               "want prefix",
	} {
		if _, _, err := space.ParseCell(bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseCell(%q) = %v, want an error with %q", bad, err, want)
		}
	}
}
