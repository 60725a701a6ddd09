package zerocost_test

import (
	"fmt"

	"github.com/nasnb/nasnb/datasets/zerocost"
)

func Example() {
	data := []byte(`{"cifar10": {"(0, 2, 3, 2, 3, 1)": {"idx": "534", "arch": "(0, 2, 3, 2, 3, 1)",
		"val_accuracy": 86.06, "synflow": {"score": 41.9, "time": 0.5}, "params": {"score": 0.615, "time": 0.5}}}}`)
	tables, err := zerocost.ParseNB201(data, "zc_nasbench201.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	e := tables["cifar10"].At(0)
	fmt.Println(e.Arch)
	fmt.Println(e.Val, e.Extra["synflow"], e.Extra["params"])

	arch, _ := zerocost.MicroArch("(1, 0, 0, 2, 1, 0)")
	fmt.Println(arch)
	// Output:
	// |skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_1x1~1|none~2|
	// 86.06 41.9 0.615
	// 64-41414-1_00_210
}
