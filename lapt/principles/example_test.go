package principles_test

import (
	"fmt"

	"github.com/nasnb/nasnb/lapt/principles"
	"github.com/nasnb/nasnb/lapt/space"
)

func ExampleRefine() {
	sp := space.NB201()
	set := principles.Set{
		Statements: []string{"Convolutions carry the cell; the input reaches the output through a skip."},
		Allowed:    [][]int{{3}, {2, 3}, {3}, {1}, {2, 3}, {2, 3}},
	}
	opt, _ := sp.Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|")
	_, rep, err := principles.Refine(sp, set, principles.Reference{Name: "cifar10 optimum", Arch: opt})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.SizeBefore, "->", rep.SizeAfter, "optimum survived:", rep.References[0].Survived)
	// Output: 15625 -> 8 optimum survived: true
}
