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

// Ops are the NAS-Bench-201 operations in the official order.
var Ops = [5]string{"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"}

func opIndex(op string) int {
	for i, o := range Ops {
		if o == op {
			return i
		}
	}
	return -1
}

// ParseArch splits an arch string "|o0~0|+|o1~0|o2~1|+|o3~0|o4~1|o5~2|"
// into its six operations (edge order o0..o5) and checks its syntax.
func ParseArch(s string) ([6]string, error) {
	var ops [6]string
	nodes := strings.Split(s, "+")
	if len(nodes) != 3 {
		return ops, fmt.Errorf("nb201: bad arch string %q: want 3 nodes separated by '+'", s)
	}
	k := 0
	for n, node := range nodes {
		if len(node) < 2 || node[0] != '|' || node[len(node)-1] != '|' {
			return ops, fmt.Errorf("nb201: bad arch string %q: node %d must be enclosed in '|'", s, n+1)
		}
		parts := strings.Split(node[1:len(node)-1], "|")
		if len(parts) != n+1 {
			return ops, fmt.Errorf("nb201: bad arch string %q: node %d has %d inputs, want %d", s, n+1, len(parts), n+1)
		}
		for j, p := range parts {
			op, from, ok := strings.Cut(p, "~")
			if !ok || len(from) != 1 || int(from[0]-'0') != j {
				return ops, fmt.Errorf("nb201: bad arch string %q: edge %q should be op~%d", s, p, j)
			}
			if opIndex(op) < 0 {
				return ops, fmt.Errorf("nb201: bad arch string %q: unknown op %q", s, op)
			}
			ops[k] = op
			k++
		}
	}
	return ops, nil
}

// FormatArch builds the arch string of six operations in edge order o0..o5.
func FormatArch(ops [6]string) string {
	return "|" + ops[0] + "~0|+|" + ops[1] + "~0|" + ops[2] + "~1|+|" +
		ops[3] + "~0|" + ops[4] + "~1|" + ops[5] + "~2|"
}

// ValidArch reports whether s is a well-formed NAS-Bench-201 arch string.
func ValidArch(s string) bool {
	_, err := ParseArch(s)
	return err == nil
}
