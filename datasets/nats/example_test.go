package nats_test

import (
	"fmt"
	"os"

	"github.com/nasnb/nasnb/datasets/nats"
)

// A synthetic arch file (testdata/gen_small_pickle.py) with the official
// structure; with the real archive use nats.OpenArchive(dir) and Arch(i).
func ExampleDecodeArchPickle() {
	data, err := os.ReadFile("testdata/small.pickle")
	if err != nil {
		fmt.Println(err)
		return
	}
	info, err := nats.DecodeArchPickle(data, "small.pickle")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, _ := info.Metrics("cifar10-valid", 200)
	fmt.Println(info.Index, len(m.PerSeed), m.HasValid, m.HasTest)
	fmt.Printf("valid %.4f test %.4f params %.3f MB\n", m.Valid, m.Test, m.Params)
	// Output:
	// 11 2 true true
	// valid 13.3325 test 13.8325 params 0.802 MB
}
