package images

import "fmt"

// Names lists the datasets [Load] knows.
var Names = []string{"fashion-mnist", "mnist", "cifar10", "cifar100", "synthetic"}

// Load loads a dataset by name from dir (may be empty for the default
// location of fashion-mnist and mnist). "synthetic" makes 32x32x3, 10-class
// data (2,048 train, 512 test) from a fixed seed.
func Load(name, dir string) (train, test *Dataset, err error) {
	switch name {
	case "fashion-mnist":
		return LoadFashionMNIST(dir)
	case "mnist":
		return LoadMNIST(dir)
	case "cifar10", "cifar100":
		if dir == "" {
			return nil, nil, fmt.Errorf("images: %s needs a data folder or tarball; %s", name, cifarHint(map[string]CIFARVariant{"cifar10": CIFAR10, "cifar100": CIFAR100}[name]))
		}
		v := CIFAR10
		if name == "cifar100" {
			v = CIFAR100
		}
		return LoadCIFAR(dir, v)
	case "synthetic":
		all, err := Synthetic(2560, 32, 32, 3, 10, 1)
		if err != nil {
			return nil, nil, err
		}
		train = all.Head(2048)
		test = all.Subset(seq(2048, 2560))
		train.Name, test.Name = "synthetic/train", "synthetic/test"
		return train, test, nil
	}
	return nil, nil, fmt.Errorf("images: unknown dataset %q (want one of %v)", name, Names)
}

func seq(a, b int) []int {
	out := make([]int, 0, b-a)
	for i := a; i < b; i++ {
		out = append(out, i)
	}
	return out
}
