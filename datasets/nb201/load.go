package nb201

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/nasnb/nasnb/datasets/bench"
	"github.com/nasnb/nasnb/datasets/datadir"
)

// FindFile returns the path of a NAS-Bench-201 data file (e.g.
// "nasbench201_cifar10.json" or MergedCSVFile) under dir/nasbench201/ or
// directly in dir, whichever exists first.
func FindFile(dir, name string) (string, error) {
	tried := []string{filepath.Join(dir, "nasbench201", name), filepath.Join(dir, name)}
	for _, p := range tried {
		if fi, err := os.Stat(p); err == nil {
			if !fi.Mode().IsRegular() {
				return "", fmt.Errorf("nb201: %s is not a regular file; remove it or replace it with the data file (`nasnb data fetch`)", p)
			}
			return p, nil
		}
	}
	return "", notFound{fmt.Sprintf("nb201: %s not found (tried %s and %s); run `nasnb data fetch` or point --dir/NASNB_DATA at the data folder",
		name, tried[0], tried[1])}
}

// notFound is FindFile's error for a file that is in neither place; it
// wraps fs.ErrNotExist (a file that is there but unusable is another error).
type notFound struct{ msg string }

func (e notFound) Error() string { return e.msg }
func (e notFound) Unwrap() error { return fs.ErrNotExist }

// Load returns the NAS-Bench-201 table of a dataset (canonical name or
// alias) at a fidelity, from the data folder dir:
//
//   - fidelity 200: the LAPT JSON (val_acc_200, test_acc_200); when the
//     merged CSV is present too, entries get their official index and come
//     in index order, else Index is -1 and entries come in file order;
//   - fidelity 12: the merged CSV (CIFAR-10: val = cifar10valid_valid_12ep,
//     test = cifar10_test_12ep; CIFAR-100 and ImageNet16-120: their
//     _valid_12ep and _test_12ep columns), in index order.
//
// Before a file is parsed it must be a regular file (a device, FIFO or
// directory is refused at once), and a known data file must have the size
// and SHA-256 of [datadir.Manifest] (a truncated or damaged file is
// refused, naming the problem). Results are cached per file version (path,
// size, mtime).
func Load(dir, dataset string, fidelity int) (*bench.Table, error) {
	ds, err := CanonicalDataset(dataset)
	if err != nil {
		return nil, err
	}
	switch fidelity {
	case 12:
		p, err := FindFile(dir, MergedCSVFile)
		if err != nil {
			return nil, err
		}
		if err := datadir.CheckSize(p); err != nil {
			return nil, err
		}
		abs, st, err := statFile(p)
		if err != nil {
			return nil, err
		}
		return memo(fmt.Sprintf("load12\x00%s\x00%s", ds, abs), []stamp{st}, func() (*bench.Table, error) {
			if err := datadir.CheckSum(p); err != nil {
				return nil, err
			}
			m, err := LoadMergedCSV(p)
			if err != nil {
				return nil, err
			}
			return m.Table(ds, 12)
		})
	case 200:
		jp, err := FindFile(dir, JSONFile(ds))
		if err != nil {
			return nil, err
		}
		if err := datadir.CheckSize(jp); err != nil {
			return nil, err
		}
		cp, cerr := FindFile(dir, MergedCSVFile)
		if cerr != nil && !errors.Is(cerr, fs.ErrNotExist) {
			return nil, cerr
		}
		if cerr != nil {
			jabs, jst, err := statFile(jp)
			if err != nil {
				return nil, err
			}
			return memo("loadjson\x00"+jabs, []stamp{jst}, func() (*bench.Table, error) {
				if err := datadir.CheckSum(jp); err != nil {
					return nil, err
				}
				return LoadLAPTJSON(jp)
			})
		}
		if err := datadir.CheckSize(cp); err != nil {
			return nil, err
		}
		jabs, jst, err := statFile(jp)
		if err != nil {
			return nil, err
		}
		cabs, cst, err := statFile(cp)
		if err != nil {
			return nil, err
		}
		return memo("load200\x00"+jabs+"\x00"+cabs, []stamp{jst, cst}, func() (*bench.Table, error) {
			if err := errors.Join(datadir.CheckSum(jp), datadir.CheckSum(cp)); err != nil {
				return nil, err
			}
			// Parse both files concurrently.
			var m *Merged
			var merr error
			done := make(chan struct{})
			go func() {
				defer close(done)
				m, merr = LoadMergedCSV(cp)
			}()
			t, err := LoadLAPTJSON(jp)
			<-done
			if err != nil {
				return nil, err
			}
			if merr != nil {
				return nil, merr
			}
			return JoinIndex(t, m)
		})
	}
	return nil, fmt.Errorf("nb201: fidelity %d not available (use 200 or 12)", fidelity)
}

// JoinIndex returns a copy of t whose entries carry the official indexes
// from m, sorted by index (archs that m lacks keep Index -1 and go last, in
// their original order).
func JoinIndex(t *bench.Table, m *Merged) (*bench.Table, error) {
	entries := t.Entries()
	dense := true // every arch found, indexes a permutation of 0..n-1
	for i := range entries {
		if idx, ok := m.IndexOf(entries[i].Arch); ok {
			entries[i].Index = idx
			dense = dense && idx < len(entries)
		} else {
			dense = false
		}
	}
	if dense {
		placed := make([]bench.Entry, len(entries))
		for _, e := range entries {
			placed[e.Index] = e
		}
		return bench.NewTable(t.Space(), t.Task(), t.Fidelity(), t.Source(), placed)
	}
	sort.SliceStable(entries, func(a, b int) bool {
		ia, ib := entries[a].Index, entries[b].Index
		if ia < 0 || ib < 0 {
			return ia >= 0 && ib < 0
		}
		return ia < ib
	})
	return bench.NewTable(t.Space(), t.Task(), t.Fidelity(), t.Source(), entries)
}
