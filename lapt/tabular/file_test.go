package tabular_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/tabular"
)

func tiny(t testing.TB) *space.Space {
	sp, err := space.ParseFile("tiny.yaml", []byte("name: tiny\ndecisions:\n  - {name: a, choices: [id, conv]}\n  - {name: b, choices: [id, conv, pool]}\nkey_format: digits\n"))
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

func TestParseTableCSVAndJSON(t *testing.T) {
	sp := tiny(t)
	csv := "# results of tiny\nkey,val,test,params\n00,50,49.5,1\n01,60,,2\n02,55,54,\n10,70,69,3\n11,80,79.5,4\n12,75,76,5\n"
	tk, err := tabular.ParseTable("runs/t.csv", []byte(csv), sp)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Name != "tiny/t" || tk.Space.Count() != 6 || sp.Format(tk.Best) != "11" || tk.BestEntry.Test != 79.5 {
		t.Fatalf("task %s count %d best %s %+v", tk.Name, tk.Space.Count(), sp.Format(tk.Best), tk.BestEntry)
	}
	e, _ := tk.Table.Lookup(space.MustArch(0, 1))
	if !e.HasVal || e.HasTest || e.Extra["params"] != 2 {
		t.Fatalf("entry 01 %+v", e)
	}
	// The same table as JSON, an object and a list of rows; a table that
	// covers part of the space limits the task's space to what it covers.
	for _, js := range []string{
		`{"00": {"val": 50, "test": 49.5}, "11": {"val": 80, "test": null}, "12": {"val": 75}}`,
		`[{"key": "00", "val": 50, "test": 49.5}, {"key": "11", "val": 80}, {"arch": "12", "valid": 75, "flops": 3}]`,
	} {
		tk, err := tabular.ParseTable("t.json", []byte(js), sp)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Space.Count() != 3 || sp.Format(tk.Best) != "11" || tk.BestEntry.HasTest {
			t.Fatalf("json task count %d best %s", tk.Space.Count(), sp.Format(tk.Best))
		}
	}
}

// Each class of bad table gives a *space.FileError naming file:line:col and
// the column.
func TestParseTableErrors(t *testing.T) {
	sp := tiny(t)
	cases := []struct{ name, src, want string }{
		{"t.txt", "", `t.txt: unknown table format ".txt"`},
		{"t.csv", "", "t.csv: empty file"},
		{"t.csv", "key,val\n", "t.csv: no rows"},
		{"t.csv", "arch,acc\n00,1\n", "t.csv:1:1: header: no validation column"},
		{"t.csv", "val,test\n1,2\n", "t.csv:1:1: header: no key column"},
		{"t.csv", "key,val,valid\n00,1,2\n", `t.csv:1:9: header: columns "val" and "valid" mean the same`},
		{"t.csv", "key,val,test\n00,1,2\n01,x,3\n", `t.csv:3:4: val: "x" is not a number`},
		{"t.csv", "key,val,test\n00,1,2\n01,1\n", "t.csv:3:1: wrong number of fields"},
		{"t.csv", "key,val,test\n00,1,2\n03,1,2\n", `t.csv:3:1: key: not a key of the space: space tiny: key "03"`},
		{"t.csv", "key,val,test\n00,1,2\n000,1,2\n", `t.csv:3:1: key: not a key of the space: space tiny: key "000" has 3 digits`},
		{"t.csv", "key,val,test\n00,1,2\n00,3,4\n", `t.csv:3:1: key: key "00": architecture 00 already given on line 2`},
		{"t.csv", "key,val,test\n00,1,Inf\n", "t.csv:2:6: test: +Inf is not a score"},
		{"t.csv", "key,val,test\n00,,1\n", "no validation scores"},
		{"t.csv", "key,val\n00,\"1\n", `t.csv:2:7: extraneous or missing " in quoted-field`},
		{"t.json", "{\"00\": {\"val\": 1,}}", "t.json:1:18: invalid character '}'"},
		{"t.json", "{\"00\": {\"val\": 1},\n \"07\": {\"val\": 2}}", `t.json:2:2: key: not a key of the space: space tiny: key "07"`},
		{"t.json", "{\"00\": {\"val\": \"high\"}}", "t.json:1:16: val: want a number or null"},
		{"t.json", "{\"00\": 5}", "t.json:1:8: 00: want an object of metrics"},
		{"t.json", "[{\"val\": 5}]", "t.json:1:2: key: missing"},
		{"t.json", "{\"00\": {\"key\": \"01\", \"val\": 5}}", `t.json:1:9: key: a row of an object table is keyed by its name`},
		{"t.json", "5", "t.json:1:1: want an object from key to metrics"},
		{"t.json", "{\"00\": {\"val\": 1, \"valid\": 2}}", "t.json:1:19: valid: a second validation score"},
	}
	for _, c := range cases {
		_, err := tabular.ParseTable(c.name, []byte(c.src), sp)
		var fe *space.FileError
		if !errors.As(err, &fe) {
			t.Errorf("%q: error %v is not a *space.FileError", c.src, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got  %v\n want %s", c.src, err, c.want)
		}
	}
}

func TestLoadExampleTables(t *testing.T) {
	sp, err := space.LoadFile("../../docs/examples/macro.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"task-a.csv", "task-b.json", "task-c.csv"} {
		tk, err := tabular.LoadTable("../../docs/examples/"+name, sp)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Space.Count() != 2048 || tk.Table.Bench().Len() != 2048 || len(tk.Evidence().Archs) != 2048 {
			t.Fatalf("%s: %d archs", tk.Name, tk.Space.Count())
		}
		if tk.Name != "macro/"+strings.TrimSuffix(strings.TrimSuffix(name, ".csv"), ".json") {
			t.Fatalf("task name %s", tk.Name)
		}
	}
}

// A results table is a CSV (or JSON) file from key to validation and test
// score; its keys are in the space's key format.
func ExampleParseTable() {
	sp, _ := space.ParseFile("tiny.yaml", []byte("name: tiny\ndecisions:\n  - {name: a, choices: [id, conv]}\n  - {name: b, choices: [id, conv]}\nkey_format: digits\n"))
	tk, err := tabular.ParseTable("cifar.csv", []byte("key,val,test\n00,50,49\n01,61,60\n10,58,59\n11,70,69\n"), sp)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tk.Name, sp.Format(tk.Best), tk.BestEntry.Val, tk.BestEntry.Test)
	// Output: tiny/cifar 11 70 69
}

func FuzzParseTable(f *testing.F) {
	f.Add("t.csv", []byte("key,val,test,params\n00,50,49.5,1\n01,60,,2\n"))
	f.Add("t.json", []byte(`{"00": {"val": 50, "test": 49.5}, "11": {"val": 80, "test": null}}`))
	f.Add("t.json", []byte(`[{"key": "00", "val": 50}, {"arch": "12", "valid": 75, "flops": 3}]`))
	sp := tiny(f)
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		tk, err := tabular.ParseTable(name, data, sp)
		if err != nil {
			var fe *space.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *space.FileError", err)
			}
			return
		}
		if !tk.Space.Contains(tk.Best) || !tk.BestEntry.HasVal {
			t.Fatalf("best %v not in the task's space", tk.Best)
		}
	})
}
