package nats

import (
	"compress/bzip2"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// MaxPickleBytes bounds the decompressed size of one archive file (the
// official arch files are about 330 KB, meta about 1.4 MB).
const MaxPickleBytes = 256 << 20

// decompress reads a whole bz2 stream, refusing more than MaxPickleBytes.
// maxDecompressed is the decompression cap in force: MaxPickleBytes, lower
// in the fuzz test (a few mutated bytes can encode a 256 MB run, which
// made each fuzz execution take seconds).
var maxDecompressed = MaxPickleBytes

func decompress(r io.Reader, name string) (data []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			data, err = nil, fmt.Errorf("%s: corrupt bz2 data: %v", name, p)
		}
	}()
	data, err = io.ReadAll(io.LimitReader(bzip2.NewReader(r), int64(maxDecompressed)+1))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%s: truncated bz2 data: %w", name, err)
		}
		return nil, fmt.Errorf("%s: bad bz2 data: %w", name, err)
	}
	if len(data) > maxDecompressed {
		return nil, fmt.Errorf("%s: decompresses to more than %d bytes", name, maxDecompressed)
	}
	return data, nil
}

// unpickle decodes a pickle with the globals NATS-Bench uses. gopickle
// allocates argument buffers before reading them and panics on some
// malformed streams, so the stream is first checked by scanPickle and any
// remaining panic is turned into an error.
func unpickle(data []byte, name string) (v any, err error) {
	if err := scanPickle(data); err != nil {
		return nil, fmt.Errorf("%s: bad pickle: %w", name, err)
	}
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, fmt.Errorf("%s: bad pickle: %v", name, p)
		}
	}()
	u := pickle.NewUnpickler(&byteReader{data: data})
	u.FindClass = findClass
	v, err = u.Load()
	if err != nil {
		return nil, fmt.Errorf("%s: bad pickle: %w", name, err)
	}
	return v, nil
}

type byteReader struct {
	data []byte
	off  int
}

// Read implements io.Reader.
func (r *byteReader) Read(p []byte) (int, error) {
	if r.off >= len(r.data) {
		return 0, io.EOF
	}
	n := copy(p, r.data[r.off:])
	r.off += n
	return n, nil
}

// ReadByte implements io.ByteReader.
func (r *byteReader) ReadByte() (byte, error) {
	if r.off >= len(r.data) {
		return 0, io.EOF
	}
	b := r.data[r.off]
	r.off++
	return b, nil
}

// findClass resolves the pickle globals of the NATS-Bench files; any other
// global is refused.
func findClass(module, name string) (any, error) {
	switch module + "." + name {
	case "numpy.dtype":
		return dtypeClass{}, nil
	case "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar":
		return scalarFunc{}, nil
	}
	return nil, fmt.Errorf("unsupported pickle global %s.%s", module, name)
}

// dtypeClass stands for numpy.dtype: dtype(code, align, copy) plus a BUILD
// state tuple (version, byte order, ...).
type dtypeClass struct{}

type dtype struct {
	code  string
	order byte // '<', '>', '|' or '='
}

// Call builds a dtype from its type code (numpy.dtype(code, align, copy)).
func (dtypeClass) Call(args ...any) (any, error) {
	if len(args) < 1 {
		return nil, errors.New("numpy.dtype() without a type code")
	}
	code, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("numpy.dtype(%v): type code is not a string", args[0])
	}
	return &dtype{code: code, order: '<'}, nil
}

// PySetState takes the byte order from the pickled dtype state.
func (d *dtype) PySetState(state any) error {
	t, ok := state.(*types.Tuple)
	if !ok || t.Len() < 2 {
		return fmt.Errorf("numpy.dtype state %v is not a tuple of at least 2", state)
	}
	s, ok := t.Get(1).(string)
	if !ok || len(s) != 1 {
		return fmt.Errorf("numpy.dtype byte order %v", t.Get(1))
	}
	d.order = s[0]
	return nil
}

// scalarFunc stands for numpy.core.multiarray.scalar(dtype, bytes): it
// decodes numeric scalars to float64.
type scalarFunc struct{}

// Call decodes the scalar bytes with the dtype.
func (scalarFunc) Call(args ...any) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("numpy scalar() with %d arguments, want 2", len(args))
	}
	d, ok := args[0].(*dtype)
	if !ok {
		return nil, fmt.Errorf("numpy scalar() first argument is %T, not a dtype", args[0])
	}
	var b []byte
	switch x := args[1].(type) {
	case []byte:
		b = x
	case string:
		b = []byte(x)
	default:
		return nil, fmt.Errorf("numpy scalar() data is %T, not bytes", args[1])
	}
	code := d.code
	if len(code) > 0 && (code[0] == '<' || code[0] == '>' || code[0] == '|' || code[0] == '=') {
		d = &dtype{code: code[1:], order: code[0]}
		code = code[1:]
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if d.order == '>' {
		bo = binary.BigEndian
	}
	size := map[string]int{"f8": 8, "f4": 4, "f2": 2, "i8": 8, "i4": 4, "i2": 2, "i1": 1, "u8": 8, "u4": 4, "u2": 2, "u1": 1, "b1": 1}[code]
	if size == 0 {
		return nil, fmt.Errorf("unsupported numpy scalar type %q", d.code)
	}
	if len(b) != size {
		return nil, fmt.Errorf("numpy scalar %q has %d bytes, want %d", d.code, len(b), size)
	}
	switch code {
	case "f8":
		return math.Float64frombits(bo.Uint64(b)), nil
	case "f4":
		return float64(math.Float32frombits(bo.Uint32(b))), nil
	case "f2":
		return halfToFloat(bo.Uint16(b)), nil
	case "i8":
		return float64(int64(bo.Uint64(b))), nil
	case "i4":
		return float64(int32(bo.Uint32(b))), nil
	case "i2":
		return float64(int16(bo.Uint16(b))), nil
	case "i1":
		return float64(int8(b[0])), nil
	case "u8":
		return float64(bo.Uint64(b)), nil
	case "u4":
		return float64(bo.Uint32(b)), nil
	case "u2":
		return float64(bo.Uint16(b)), nil
	default: // "u1", "b1"
		return float64(b[0]), nil
	}
}

func halfToFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 31:
		if frac == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * math.Ldexp(1+frac/1024, exp-15)
}

// scanPickle walks the opcodes of a pickle without executing them and
// checks that every opcode is known and every length-prefixed argument fits
// in the data. It stops at the first STOP.
func scanPickle(data []byte) error {
	i := 0
	need := func(n int) error {
		if n < 0 || n > len(data)-i {
			return fmt.Errorf("truncated pickle: argument of %d bytes at offset %d runs past the end (%d bytes)", n, i, len(data))
		}
		return nil
	}
	line := func() error {
		for j := i; j < len(data); j++ {
			if data[j] == '\n' {
				i = j + 1
				return nil
			}
		}
		return fmt.Errorf("truncated pickle: unterminated line argument at offset %d", i)
	}
	counted := func(width int, signed bool) error {
		if err := need(width); err != nil {
			return err
		}
		var n uint64
		switch width {
		case 1:
			n = uint64(data[i])
		case 4:
			v := binary.LittleEndian.Uint32(data[i:])
			if signed && int32(v) < 0 {
				return fmt.Errorf("negative length at offset %d", i)
			}
			n = uint64(v)
		case 8:
			n = binary.LittleEndian.Uint64(data[i:])
		}
		i += width
		if n > uint64(len(data)-i) {
			return fmt.Errorf("truncated pickle: argument of %d bytes at offset %d runs past the end (%d bytes)", n, i, len(data))
		}
		i += int(n)
		return nil
	}
	for i < len(data) {
		op := data[i]
		pos := i
		i++
		var err error
		switch op {
		case '.': // STOP
			return nil
		case '(', '0', '1', '2', 'N', ')', ']', '}', 'a', 'e', 'l', 't', 'd', 's', 'u', 'R', 'b', 'o',
			0x85, 0x86, 0x87, 0x88, 0x89, 0x8f, 0x90, 0x91, 0x93, 0x94, 0x81, 0x92, 0x97, 0x98, 'Q':
			// no argument
		case 'I', 'L', 'S', 'V', 'F', 'g', 'p', 'P':
			err = line()
		case 'c', 'i':
			if err = line(); err == nil {
				err = line()
			}
		case 'K', 'h', 'q', 0x82, 0x80:
			err = need(1)
			i++
		case 'M', 0x83:
			err = need(2)
			i += 2
		case 'J', 'j', 'r', 0x84:
			err = need(4)
			i += 4
		case 'G':
			err = need(8)
			i += 8
		case 0x8a, 'U', 'C', 0x8c: // LONG1, SHORT_BINSTRING, SHORT_BINBYTES, SHORT_BINUNICODE
			err = counted(1, false)
		case 0x8b, 'T': // LONG4, BINSTRING
			err = counted(4, true)
		case 'B', 'X': // BINBYTES, BINUNICODE
			err = counted(4, false)
		case 0x8e, 0x96, 0x8d: // BINBYTES8, BYTEARRAY8, BINUNICODE8
			err = counted(8, false)
		case 0x95: // FRAME: the frame's opcodes follow inline
			err = need(8)
			if err == nil {
				n := binary.LittleEndian.Uint64(data[i:])
				i += 8
				if n > uint64(len(data)-i) {
					err = fmt.Errorf("truncated pickle: frame of %d bytes at offset %d runs past the end (%d bytes)", n, i, len(data))
				}
			}
		default:
			return fmt.Errorf("unknown opcode 0x%02x at offset %d", op, pos)
		}
		if err != nil {
			return fmt.Errorf("opcode 0x%02x at offset %d: %w", op, pos, err)
		}
	}
	return errors.New("no STOP opcode: truncated pickle")
}

// Helpers to navigate decoded values.

func dictGet(v any, key string) (any, bool) {
	switch d := v.(type) {
	case *types.Dict:
		for _, e := range *d {
			if k, ok := e.Key.(string); ok && k == key {
				return e.Value, true
			}
		}
	case *types.OrderedDict:
		for el := d.List.Front(); el != nil; el = el.Next() {
			e := el.Value.(*types.OrderedDictEntry)
			if k, ok := e.Key.(string); ok && k == key {
				return e.Value, true
			}
		}
	}
	return nil, false
}

type kv struct{ k, v any }

func dictItems(v any) ([]kv, bool) {
	switch d := v.(type) {
	case *types.Dict:
		out := make([]kv, 0, len(*d))
		for _, e := range *d {
			out = append(out, kv{e.Key, e.Value})
		}
		return out, true
	case *types.OrderedDict:
		out := make([]kv, 0, d.Len())
		for el := d.List.Front(); el != nil; el = el.Next() {
			e := el.Value.(*types.OrderedDictEntry)
			out = append(out, kv{e.Key, e.Value})
		}
		return out, true
	}
	return nil, false
}

func listItems(v any) ([]any, bool) {
	switch l := v.(type) {
	case *types.List:
		return []any(*l), true
	case *types.Tuple:
		return []any(*l), true
	}
	return nil, false
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f, true
	}
	return 0, false
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int(x), true
		}
	}
	return 0, false
}
