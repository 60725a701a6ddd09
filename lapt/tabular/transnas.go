package tabular

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/nasnb/nasnb/datasets/datadir"
	"github.com/nasnb/nasnb/datasets/zerocost"
	"github.com/nasnb/nasnb/lapt/space"
)

// TransNASFile is the zero-cost sample of TransNAS-Bench-101 micro, the only
// TransNAS performance data available offline.
const TransNASFile = "zc_transbench101_micro.json"

func openTransNAS(dataDir, task string) (*Task, error) {
	p := filepath.Join(dataDir, "zero-cost", TransNASFile)
	if err := datadir.CheckSum(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	tables, err := zerocost.LoadTransNAS(p, "micro")
	if err != nil {
		return nil, err
	}
	t, ok := tables[strings.ToLower(task)]
	if !ok {
		var names []string
		for k := range tables {
			names = append(names, k)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("tabular: transnas-micro has no task %q (tasks: %s)", task, strings.Join(names, ", "))
	}
	return FromTable(space.TransNASMicro(), t)
}
