package tabular

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/nasnb/nasnb/datasets/bench"
	"github.com/nasnb/nasnb/lapt/space"
)

// MaxTableBytes is the largest results table file [LoadTable] reads.
const MaxTableBytes = 256 << 20

// Column names a results table may use. The key column holds the space's
// text form of an architecture (see [space.KeyFormat]); validation and test
// are kept apart: searches see only validation, reports show test too.
var (
	KeyColumns  = []string{"key", "arch"}
	ValColumns  = []string{"val", "valid", "validation"}
	TestColumns = []string{"test"}
)

// LoadTable reads a results table of the space sp from a CSV or JSON file
// (by extension; see [ParseTable]) and returns a task named
// "<space>/<file name without extension>".
func LoadTable(path string, sp *space.Space) (*Task, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &space.FileError{File: path, Err: err}
	}
	if !fi.Mode().IsRegular() {
		return nil, &space.FileError{File: path, Err: errors.New("not a regular file")}
	}
	if fi.Size() > MaxTableBytes {
		return nil, &space.FileError{File: path, Err: fmt.Errorf("%d bytes, a table may have at most %d", fi.Size(), MaxTableBytes)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &space.FileError{File: path, Err: err}
	}
	return ParseTable(path, data, sp)
}

// ParseTable reads a results table's contents; name (a file name) selects the
// format by its extension and names the task. Every error about the contents
// is a *[space.FileError] with the line, column and column name.
//
// CSV (.csv): a header row, then one row per architecture; '#' starts a
// comment line. The columns are the key ("key" or "arch"), the validation
// score ("val", "valid" or "validation"; required), the test score ("test";
// optional) and any other numeric columns (kept as extras, e.g. "params").
// An empty cell is a missing value.
//
//	key,val,test,params
//	0312,91.25,90.80,1.2
//
// JSON (.json): an object from key to metrics, or a list of objects with a
// "key" field; the metric names are the CSV column names, null is missing.
//
//	{"0312": {"val": 91.25, "test": 90.80}, "0000": {"val": 10.0, "test": null}}
//
// Every key must parse as an architecture of sp's root space, once.
func ParseTable(name string, data []byte, sp *space.Space) (*Task, error) {
	bt, err := ReadTable(name, data, sp)
	if err != nil {
		return nil, err
	}
	return FromTable(sp.Root(), bt)
}

// ReadTable is [ParseTable] without building the task: the benchmark table,
// with every key in sp's text form.
func ReadTable(name string, data []byte, sp *space.Space) (*bench.Table, error) {
	if sp == nil {
		return nil, fmt.Errorf("tabular: ReadTable %s: no space", name)
	}
	r := &tableReader{file: name, sp: sp.Root(), seen: map[space.Arch]int{}}
	var err error
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".csv":
		err = r.csv(data)
	case ".json":
		err = r.json(data)
	default:
		return nil, &space.FileError{File: name, Err: fmt.Errorf("unknown table format %q: want a .csv or .json file", ext)}
	}
	if err != nil {
		return nil, err
	}
	if len(r.entries) == 0 {
		return nil, &space.FileError{File: name, Err: errors.New("no rows")}
	}
	if r.nval == 0 {
		return nil, &space.FileError{File: name, Err: errors.New("no validation scores: searches rank by validation")}
	}
	task := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	return bench.NewTable(r.sp.Name(), task, 0, name, r.entries)
}

type tableReader struct {
	file    string
	sp      *space.Space
	entries []bench.Entry
	seen    map[space.Arch]int // arch -> line
	nval    int
}

func (r *tableReader) errf(line, col int, field, format string, args ...any) error {
	return &space.FileError{File: r.file, Line: line, Col: col, Field: field, Err: fmt.Errorf(format, args...)}
}

// add records one row; pos(field) gives the position of a field's value.
func (r *tableReader) add(key string, keyLine, keyCol int, keyField string, val, test *float64, extra map[string]float64, pos func(string) (int, int)) error {
	a, err := r.sp.Parse(strings.TrimSpace(key))
	if err != nil {
		msg := err.Error()
		if !strings.Contains(msg, key) {
			msg = fmt.Sprintf("key %q: %s", truncate(key, 60), msg)
		}
		return r.errf(keyLine, keyCol, keyField, "not a key of the space: %s", msg)
	}
	if l, dup := r.seen[a]; dup {
		return r.errf(keyLine, keyCol, keyField, "key %q: architecture %s already given on line %d", truncate(key, 60), r.sp.Format(a), l)
	}
	r.seen[a] = keyLine
	e := bench.Entry{Arch: r.sp.Format(a), Index: -1, Extra: extra}
	for _, m := range []struct {
		v     *float64
		dst   *float64
		has   *bool
		field string
	}{{val, &e.Val, &e.HasVal, "val"}, {test, &e.Test, &e.HasTest, "test"}} {
		if m.v == nil {
			continue
		}
		if math.IsNaN(*m.v) || math.IsInf(*m.v, 0) {
			l, c := pos(m.field)
			return r.errf(l, c, m.field, "%v is not a score", *m.v)
		}
		*m.dst, *m.has = *m.v, true
	}
	if e.HasVal {
		r.nval++
	}
	r.entries = append(r.entries, e)
	return nil
}

func columnKind(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	switch {
	case slices.Contains(KeyColumns, n):
		return "key"
	case slices.Contains(ValColumns, n):
		return "val"
	case slices.Contains(TestColumns, n):
		return "test"
	}
	return ""
}

func (r *tableReader) csv(data []byte) error {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comment = '#'
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return r.csvErr(err, "header")
	}
	key, val, test := -1, -1, -1
	names := make([]string, len(head))
	seen := map[string]bool{}
	for i, h := range head {
		names[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		line, col := cr.FieldPos(i)
		if names[i] == "" {
			return r.errf(line, col, "header", "column %d has no name", i+1)
		}
		if seen[strings.ToLower(names[i])] {
			return r.errf(line, col, "header", "column %q given twice", names[i])
		}
		seen[strings.ToLower(names[i])] = true
		dst := map[string]*int{"key": &key, "val": &val, "test": &test}[columnKind(names[i])]
		if dst != nil {
			if *dst >= 0 {
				return r.errf(line, col, "header", "columns %q and %q mean the same (%s)", names[*dst], names[i], columnKind(names[i]))
			}
			*dst = i
		}
	}
	if key < 0 {
		return r.errf(1, 1, "header", "no key column (name one of %s); columns: %s", strings.Join(KeyColumns, ", "), strings.Join(names, ", "))
	}
	if val < 0 {
		return r.errf(1, 1, "header", "no validation column (name one of %s); columns: %s", strings.Join(ValColumns, ", "), strings.Join(names, ", "))
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return r.csvErr(err, "")
		}
		var v, t *float64
		var extra map[string]float64
		for i, cell := range rec {
			if i == key {
				continue
			}
			cell = strings.TrimSpace(cell)
			if cell == "" {
				continue
			}
			x, err := strconv.ParseFloat(cell, 64)
			if err != nil || math.IsNaN(x) {
				line, col := cr.FieldPos(i)
				return r.errf(line, col, names[i], "%q is not a number", truncate(cell, 40))
			}
			switch i {
			case val:
				v = &x
			case test:
				t = &x
			default:
				if extra == nil {
					extra = map[string]float64{}
				}
				extra[names[i]] = x
			}
		}
		kl, kc := cr.FieldPos(key)
		pos := func(f string) (int, int) {
			if f == "val" {
				return cr.FieldPos(val)
			}
			return cr.FieldPos(test)
		}
		if err := r.add(rec[key], kl, kc, names[key], v, t, extra, pos); err != nil {
			return err
		}
	}
}

func (r *tableReader) csvErr(err error, field string) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return r.errf(pe.Line, pe.Column, field, "%v", pe.Err)
	}
	if errors.Is(err, io.EOF) {
		return r.errf(0, 0, "", "empty file: want a header row (key,val,test) and one row per architecture")
	}
	return r.errf(0, 0, field, "%v", err)
}

func (r *tableReader) json(data []byte) (err error) {
	defer func() {
		if p := recover(); p != nil { // the YAML decoder on hostile input
			err = r.errf(0, 0, "", "unreadable file: %v", p)
		}
	}()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			l, c := bench.LineCol(data, se.Offset-1)
			return r.errf(l, c, "", "%v", err)
		}
		return r.errf(0, 0, "", "%v", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return r.errf(0, 0, "", "%v", err)
	}
	root := doc.Content[0]
	switch root.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, m := root.Content[i], root.Content[i+1]
			if err := r.jsonRow(k.Value, k, m, false); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for _, m := range root.Content {
			if err := r.jsonRow("", nil, m, true); err != nil {
				return err
			}
		}
	default:
		return r.errf(root.Line, root.Column, "", "want an object from key to metrics, or a list of rows with a \"key\" field")
	}
	return nil
}

func (r *tableReader) jsonRow(key string, keyNode, m *yaml.Node, keyField bool) error {
	if m.Kind != yaml.MappingNode {
		return r.errf(m.Line, m.Column, key, "want an object of metrics (\"val\", \"test\", ...)")
	}
	var v, t *float64
	var extra map[string]float64
	nodes := map[string]*yaml.Node{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, x := m.Content[i], m.Content[i+1]
		kind := columnKind(k.Value)
		if kind == "key" {
			if !keyField {
				return r.errf(k.Line, k.Column, k.Value, "a row of an object table is keyed by its name; drop the %q field", k.Value)
			}
			if x.Kind != yaml.ScalarNode || x.Tag == "!!null" {
				return r.errf(x.Line, x.Column, k.Value, "want a text key")
			}
			key, keyNode = x.Value, x
			continue
		}
		if x.Kind != yaml.ScalarNode || (x.Tag != "!!int" && x.Tag != "!!float" && x.Tag != "!!null") {
			return r.errf(x.Line, x.Column, k.Value, "want a number or null")
		}
		if x.Tag == "!!null" {
			continue
		}
		f, err := strconv.ParseFloat(x.Value, 64)
		if err != nil {
			return r.errf(x.Line, x.Column, k.Value, "%q is not a number", truncate(x.Value, 40))
		}
		nodes[kind] = x
		switch kind {
		case "val":
			if v != nil {
				return r.errf(k.Line, k.Column, k.Value, "a second validation score")
			}
			v = &f
		case "test":
			if t != nil {
				return r.errf(k.Line, k.Column, k.Value, "a second test score")
			}
			t = &f
		default:
			if extra == nil {
				extra = map[string]float64{}
			}
			extra[k.Value] = f
		}
	}
	if keyNode == nil {
		return r.errf(m.Line, m.Column, "key", "missing: every row needs a \"key\"")
	}
	pos := func(f string) (int, int) {
		if n := nodes[f]; n != nil {
			return n.Line, n.Column
		}
		return m.Line, m.Column
	}
	return r.add(key, keyNode.Line, keyNode.Column, "key", v, t, extra, pos)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
