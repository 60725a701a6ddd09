package experiment_test

import (
	"context"
	"fmt"

	"github.com/nasnb/nasnb/lapt/experiment"
	"github.com/nasnb/nasnb/lapt/space"
	"github.com/nasnb/nasnb/lapt/tabular"
)

// Search runs one search per seed on a user's own space and results table,
// answering equivalent architectures for free.
func ExampleSearch() {
	sp, err := space.ParseFile("m.yaml", []byte(`name: m
decisions:
  - {name: l1, choices: [id, conv, mb]}
  - {name: l2, choices: [id, conv, mb]}
key_format: digits
equivalence:
  - {collapse: [l1, l2], op: id}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	task, err := tabular.ParseTable("t.csv", []byte("key,val,test\n00,10,10\n01,50,49\n10,51,50\n02,60,59\n20,61,60\n11,70,69\n12,80,79\n21,75,74\n22,72,71\n"), sp)
	if err != nil {
		fmt.Println(err)
		return
	}
	seeds, _ := experiment.ParseSeeds("0-9")
	outs, err := experiment.Search(context.Background(), experiment.SearchConfig{Space: task.Space, Evaluator: task.Table, Strategy: "random", Budget: 7, Seeds: seeds})
	if err != nil {
		fmt.Println(err)
		return
	}
	free := 0.0
	for _, o := range outs {
		free += o.Extra["equivalent_free"]
	}
	p := experiment.Summarize(outs, []int{7}, task.BestEntry.Val)[0]
	// 9 keys, 7 distinct networks: a budget of 7 finds the best every time.
	fmt.Printf("found the best in %.0f%% of seeds; %v equivalent keys answered for free\n", 100*p.FoundFrac, free > 0)
	// Output: found the best in 100% of seeds; true equivalent keys answered for free
}
