//go:build ignore

// Gen writes the example results tables of the macro space (macro.yaml):
// task-a.csv, task-b.json and task-c.csv, one synthetic score per key. The
// scores come from a seeded model of three related image tasks: every task
// shares how much each block is worth in each stage, and adds its own
// seeded preferences; functionally identical keys share the true score and
// differ only by training noise. Run from the repository root:
//
//	go run docs/examples/gen.go
package main

import (
	"bufio"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/nasnb/nasnb/lapt/space"
)

const dir = "docs/examples"

// stage of each layer decision (l1..l5); width is decision 5.
var stage = []int{0, 0, 1, 1, 2}

func main() {
	sp, err := space.LoadFile(filepath.Join(dir, "macro.yaml"))
	if err != nil {
		log.Fatal(err)
	}
	// Shared worth of ops (id, conv3x3, conv5x5, mbconv) per stage.
	shared := [3][4]float64{
		{0, 0.8, 0.5, 0.3},
		{0, 0.6, 0.9, 1.1},
		{0, 0.4, 0.7, 1.4},
	}
	tasks := []struct {
		name   string
		base   float64 // accuracy of the best networks, roughly
		spread float64
		seed   uint64
		write  func(string, []row) error
	}{
		{"task-a.csv", 93, 25, 1, writeCSV},
		{"task-b.json", 71, 35, 2, writeJSON},
		{"task-c.csv", 45, 30, 3, writeCSV},
	}
	for _, t := range tasks {
		r := rand.New(rand.NewPCG(2026, t.seed))
		var w [3][4]float64
		for s := range w {
			for o := range w[s] {
				w[s][o] = shared[s][o]
				if o > 0 {
					w[s][o] += 0.35 * r.NormFloat64() // the task's own preferences
				}
			}
		}
		wide := 0.3 + 0.2*r.Float64()
		depth := 0.15 * r.NormFloat64() // worth of one more real layer
		truth := map[space.Arch]float64{}
		var rows []row
		sp.Enumerate(func(a space.Arch) bool {
			c := sp.Canonical(a)
			x, ok := truth[c]
			if !ok {
				z, n := 0.0, 0
				for l, s := range stage {
					o := a.Op(l)
					z += w[s][o]
					if o != 0 {
						n++
					}
				}
				z += depth * float64(n)
				if sp.OpName(a.Op(5)) == "wide" {
					z += wide
				}
				x = t.base - t.spread*math.Exp(-0.9*z)
				truth[c] = x
			}
			rows = append(rows, row{key: sp.Format(a), val: x + 0.15*r.NormFloat64(), test: x - 0.4 + 0.3*r.NormFloat64()})
			return true
		})
		if err := t.write(filepath.Join(dir, t.name), rows); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d rows, %d functionally distinct\n", t.name, len(rows), len(truth))
	}
}

type row struct {
	key       string
	val, test float64
}

func writeCSV(path string, rows []row) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "key,val,test")
	for _, r := range rows {
		fmt.Fprintf(w, "%s,%.2f,%.2f\n", r.key, r.val, r.test)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func writeJSON(path string, rows []row) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "{")
	for i, r := range rows {
		sep := ","
		if i == len(rows)-1 {
			sep = ""
		}
		fmt.Fprintf(w, "%q:{\"val\":%.2f,\"test\":%.2f}%s\n", r.key, r.val, r.test, sep)
	}
	fmt.Fprintln(w, "}")
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
