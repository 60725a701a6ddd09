package nb201_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/nasnb/nasnb/datasets/nb201"
)

// LoadLAPTJSON reads one LAPT-format file. (Load, which takes the data
// folder, checks each known file's size and checksum before parsing it.)
// Here a two-arch file stands in for the real 15,625-arch one.
func ExampleLoadLAPTJSON() {
	dir, _ := os.MkdirTemp("", "nb201-example")
	defer os.RemoveAll(dir)
	os.Mkdir(filepath.Join(dir, "nasbench201"), 0o755)
	json := `{
 "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|": {"val_acc_200": 91.6, "test_acc_200": 94.37, "rank": 1},
 "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|": {"val_acc_200": 10.0, "test_acc_200": 10.0, "rank": 15625}
}`
	os.WriteFile(filepath.Join(dir, "nasbench201", "nasbench201_cifar10.json"), []byte(json), 0o644)

	t, err := nb201.LoadLAPTJSON(filepath.Join(dir, "nasbench201", "nasbench201_cifar10.json"))
	if err != nil {
		fmt.Println(err)
		return
	}
	best := t.Best(true)
	fmt.Println(t.Task(), t.Fidelity(), t.Len())
	fmt.Println(best.Val, best.Test, best.Index)
	ops, _ := nb201.ParseArch(best.Arch)
	fmt.Println(ops[3])
	// Output:
	// cifar10 200 2
	// 91.6 94.37 -1
	// skip_connect
}
