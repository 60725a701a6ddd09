// Package nb201 loads NAS-Bench-201 (NATS-Bench topology space) tables:
// the LAPT-format JSON files (200-epoch validation and test accuracy) and
// the merged CSV that adds a 12-epoch fidelity and the official indexes.
//
// Data layout (see the project's shared/data/README.md):
//
//	<dir>/nasbench201/nasbench201_cifar10.json   arch → {val_acc_200, test_acc_200, rank}
//	<dir>/nasbench201/nasbench201_cifar100.json
//	<dir>/nasbench201/nasbench201_imagenet.json
//	<dir>/nasbench201/nb201_tss_merged.csv      index,arch,<dataset>_<split>_<epochs>ep...
//
// Load finds the files either under <dir>/nasbench201/ or directly in <dir>.
// Parsed tables are cached in-process per file path, size and modification
// time, so repeated loads are cheap; tables are immutable and shared.
package nb201

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nasnb/nasnb/lapt/space"
)

// Canonical dataset names.
const (
	CIFAR10    = "cifar10"
	CIFAR100   = "cifar100"
	ImageNet16 = "imagenet16-120"
)

// Space is the bench.Table space name used for NAS-Bench-201 tables.
const Space = "nb201"

// NumArchs is the number of cells in NAS-Bench-201.
const NumArchs = 15625

// Datasets returns the canonical dataset names in the usual order.
func Datasets() []string { return []string{CIFAR10, CIFAR100, ImageNet16} }

var aliases = map[string]string{
	"cifar10":        CIFAR10,
	"cifar-10":       CIFAR10,
	"cifar10-valid":  CIFAR10,
	"cifar100":       CIFAR100,
	"cifar-100":      CIFAR100,
	"imagenet16-120": ImageNet16,
	"imagenet16":     ImageNet16,
	"imagenet":       ImageNet16,
	"imagenet-16":    ImageNet16,
	"imagenet16_120": ImageNet16,
}

// CanonicalDataset maps a dataset name or alias (case-insensitive:
// "cifar10-valid", "ImageNet16-120", "imagenet", ...) to its canonical name
// (CIFAR10, CIFAR100 or ImageNet16). Unknown names give an error that lists
// the valid ones.
func CanonicalDataset(name string) (string, error) {
	if c, ok := aliases[strings.ToLower(strings.TrimSpace(name))]; ok {
		return c, nil
	}
	var names []string
	for a := range aliases {
		names = append(names, a)
	}
	sort.Strings(names)
	return "", fmt.Errorf("nb201: unknown dataset %q (valid: %s; accepted aliases: %s)",
		name, strings.Join(Datasets(), ", "), strings.Join(names, ", "))
}

// JSONFile returns the LAPT JSON file name of a canonical dataset,
// e.g. "nasbench201_imagenet.json" for ImageNet16.
func JSONFile(dataset string) string {
	if dataset == ImageNet16 {
		return "nasbench201_imagenet.json"
	}
	return "nasbench201_" + dataset + ".json"
}

// MergedCSVFile is the file name of the merged multi-fidelity CSV.
const MergedCSVFile = "nb201_tss_merged.csv"

// ParseArch splits an arch string "|o0~0|+|o1~0|o2~1|+|o3~0|o4~1|o5~2|"
// into its six operation names (edge order o0..o5) and checks it: the cell
// and its text form are lapt/space's ([space.NB201]).
func ParseArch(s string) ([6]string, error) {
	var ops [6]string
	sp := space.NB201()
	a, err := sp.Parse(s)
	if err != nil {
		return ops, fmt.Errorf("bad arch: %w", err)
	}
	for i := range ops {
		ops[i] = sp.OpName(a.Op(i))
	}
	return ops, nil
}

// ValidArch reports whether s is a well-formed NAS-Bench-201 arch string.
func ValidArch(s string) bool {
	_, err := space.NB201().Parse(s)
	return err == nil
}
