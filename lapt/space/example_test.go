package space_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/nasnb/nasnb/lapt/space"
)

func ExampleNB201() {
	sp := space.NB201()
	a, err := sp.Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a, sp.Count())
	// Output: [3 3 4 1 3 3] 15625
}

func ExampleSpace_Restrict() {
	sp := space.NB201()
	sub, _ := sp.Restrict([][]int{{3}, {3, 1}, {3}, {1}, {3, 2}, {3}})
	r := rand.New(rand.NewPCG(7, 7))
	a := sub.Sample(r)
	fmt.Println(sub.Count(), sub.Contains(a))
	// Output: 4 true
}

func ExampleDefine() {
	sp, err := space.Define("tiny", []space.EdgeSpec{
		space.CellEdge(0, 1, "conv", "skip"),
		space.CellEdge(1, 2, "conv", "none"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	a, _ := sp.Parse("skip,conv")
	fmt.Println(sp.Count(), a, sp.Format(a))
	// Output: 4 [1 0] skip,conv
}
