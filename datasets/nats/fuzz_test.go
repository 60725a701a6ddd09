package nats

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func addFile(f *testing.F, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
}

func FuzzDecodeArchPickle(f *testing.F) {
	addFile(f, "testdata/small.pickle")
	f.Add([]byte("\x80\x04}\x8c\x0212}\x8c\narch_index\x94K\x0bss."))
	f.Add([]byte("\x80\x04\x8c\x05numpy\x8c\x05dtype\x93\x8c\x02f8K\x00K\x01\x87R."))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := DecodeArchPickle(data, "fuzz.pickle")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.pickle") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for fid := range info.Runs {
			for _, ds := range Datasets() {
				info.Metrics(ds, fid) // must not panic
			}
		}
	})
}

// FuzzDecodeArchBZ2 starts from small inputs compressed with 100 kB blocks
// (BZh1: the reader allocates per block size) plus the corpus in
// testdata/fuzz/FuzzDecodeArchBZ2, and caps decompression at 1 MiB so a
// mutated run length cannot make one execution take seconds.
func FuzzDecodeArchBZ2(f *testing.F) {
	maxDecompressed = 1 << 20
	f.Cleanup(func() { maxDecompressed = MaxPickleBytes })
	addFile(f, "testdata/small.pickle.bz1")
	f.Add([]byte("BZh11AY&SY"))
	f.Add([]byte("BZh1\x17rE8P\x90\x00\x00\x00\x00")) // empty stream
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := DecodeArch(bytes.NewReader(data), "fuzz.pbz2")
		if err != nil && !strings.Contains(err.Error(), "fuzz.pbz2") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

func FuzzDecodeMetaPickle(f *testing.F) {
	addFile(f, "testdata/small_meta.pickle")
	f.Fuzz(func(t *testing.T, data []byte) {
		meta, err := DecodeMetaPickle(data, "fuzz-meta")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz-meta") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, m := range meta {
			if seen[m] {
				t.Fatalf("duplicate arch accepted")
			}
			seen[m] = true
		}
	})
}
