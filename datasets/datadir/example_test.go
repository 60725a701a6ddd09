package datadir_test

import (
	"fmt"

	"github.com/nasnb/nasnb/datasets/datadir"
)

func ExampleLookup() {
	f, ok := datadir.Lookup("nasbench201_cifar10.json")
	fmt.Println(ok, f.Name, f.SHA256[:12])
	// Output: true nasbench201/nasbench201_cifar10.json 7c5d7d890a28
}
