package bench

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
)

// FixPythonJSON makes JSON written by Python's json.dump readable by
// encoding/json: it replaces the non-standard literals NaN, Infinity and
// -Infinity (outside strings) by the JSON strings "NaN", "Infinity" and
// "-Infinity", which PyFloat decodes back. Data without such literals is
// returned unchanged (not copied).
func FixPythonJSON(data []byte) []byte {
	if !bytes.Contains(data, []byte("NaN")) && !bytes.Contains(data, []byte("Infinity")) {
		return data
	}
	var out []byte // allocated on first replacement
	last := 0
	inStr, esc := false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		var lit string
		switch c {
		case '"':
			inStr = true
			continue
		case 'N':
			lit = "NaN"
		case 'I':
			lit = "Infinity"
		case '-':
			lit = "-Infinity"
		default:
			continue
		}
		if !bytes.HasPrefix(data[i:], []byte(lit)) {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(data)+64)
		}
		out = append(out, data[last:i]...)
		out = append(out, '"')
		out = append(out, lit...)
		out = append(out, '"')
		i += len(lit) - 1
		last = i + 1
	}
	if out == nil {
		return data
	}
	return append(out, data[last:]...)
}

// PyFloat is a float64 that decodes from a JSON number or from the strings
// "NaN", "Infinity" and "-Infinity" produced by FixPythonJSON.
type PyFloat float64

// UnmarshalJSON implements json.Unmarshaler.
func (f *PyFloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`:
		*f = PyFloat(math.NaN())
		return nil
	case `"Infinity"`:
		*f = PyFloat(math.Inf(1))
		return nil
	case `"-Infinity"`:
		*f = PyFloat(math.Inf(-1))
		return nil
	case "null":
		return fmt.Errorf("null is not a number")
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		if len(b) > 40 {
			b = append(b[:40:40], "..."...)
		}
		return fmt.Errorf("%s is not a number", b)
	}
	*f = PyFloat(v)
	return nil
}

// LineCol converts a byte offset in data into a 1-based line and column,
// for error messages.
func LineCol(data []byte, offset int64) (line, col int) {
	if offset < 0 {
		offset = 0
	}
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	prefix := data[:offset]
	line = 1 + bytes.Count(prefix, []byte{'\n'})
	col = int(offset) - bytes.LastIndexByte(prefix, '\n')
	return line, col
}
