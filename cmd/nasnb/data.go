package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"text/tabwriter"

	"github.com/nasnb/nasnb/datasets/bench"
	"github.com/nasnb/nasnb/datasets/datadir"
	"github.com/nasnb/nasnb/datasets/nats"
	"github.com/nasnb/nasnb/datasets/nb201"
	"github.com/nasnb/nasnb/datasets/zerocost"
)

func init() {
	register("data", "fetch, verify and describe the benchmark data files (fetch | verify | info)", runData)
}

const dataUsage = `Usage:
  nasnb data fetch  [--dir D] [file ...]   download missing data files (all, or the named ones) and check their SHA-256
  nasnb data verify [--dir D]              check every known data file: present, missing or bad checksum
  nasnb data info   [--dir D]              list the tables: sizes, row counts, best validation/test per dataset

Without --dir the data folder is: $NASNB_DATA, else ../shared/data next to the
checkout, else the per-user cache folder (fetch creates the latter).
Files are named by path ("nasbench201/nasbench201_cifar10.json") or base name.`

// runData implements "nasnb data".
func runData(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("missing subcommand\n\n%s", dataUsage)
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "-h", "--help", "-help", "help":
		fmt.Fprintln(stdout, dataUsage)
		return nil
	case "fetch", "verify", "info":
	default:
		return usagef("unknown subcommand %q\n\n%s", sub, dataUsage)
	}
	fs := flag.NewFlagSet("data "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dir := fs.String("dir", "", "data folder (default: $NASNB_DATA, ../shared/data, or the per-user cache)")
	var pos []string
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintln(stdout, dataUsage)
				return nil
			}
			return usagef("%w\n\n%s", err, dataUsage)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0)) // allow flags after file names
		rest = fs.Args()[1:]
	}
	if sub != "fetch" && len(pos) > 0 {
		return usagef("data %s takes no arguments, got %q\n\n%s", sub, pos[0], dataUsage)
	}
	switch sub {
	case "fetch":
		return dataFetch(ctx, *dir, pos, stdout)
	case "verify":
		return dataVerify(*dir, stdout)
	default:
		return dataInfo(*dir, stdout)
	}
}

func dataFetch(ctx context.Context, dir string, files []string, stdout io.Writer) error {
	if dir == "" {
		d, err := datadir.Resolve("")
		if err != nil {
			if d, err = datadir.CacheDir(); err != nil {
				return err
			}
		}
		dir = d
	}
	fmt.Fprintf(stdout, "data folder %s\n", dir)
	f := &datadir.Fetcher{Log: stdout}
	return f.Fetch(ctx, dir, files)
}

func dataVerify(dir string, stdout io.Writer) error {
	d, err := datadir.Resolve(dir)
	if err != nil {
		return err
	}
	r, err := datadir.Verify(d)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, r.String())
	if !r.OK() {
		return fmt.Errorf("%d of %d data files are not ok; run `nasnb data fetch --dir %s` or copy them in by hand",
			len(r.Files)-r.Count(datadir.OK), len(r.Files), d)
	}
	return nil
}

func dataInfo(dir string, stdout io.Writer) error {
	d, err := datadir.Resolve(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "data folder %s\n\nfiles:\n", d)
	present := map[string]bool{}
	var problems []error
	for _, f := range datadir.Manifest {
		p := filepath.Join(d, filepath.FromSlash(f.Name))
		if fi, err := os.Stat(p); err == nil {
			present[f.Name] = true
			if err := datadir.CheckSum(p); err != nil {
				// Truncated, damaged, another version or not a regular file.
				problems = append(problems, err)
				fmt.Fprintf(stdout, "  %-40s %10d bytes  BAD (see the error below)\n", f.Name, fi.Size())
				continue
			}
			fmt.Fprintf(stdout, "  %-40s %10d bytes\n", f.Name, fi.Size())
		} else {
			fmt.Fprintf(stdout, "  %-40s %10s\n", f.Name, "missing")
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(stdout, "\nNAS-Bench-201 tables (percent; best by validation, best by test, top-0.1% validation threshold):")
	fmt.Fprintln(tw, "dataset\tepochs\trows\tbest val\t(its test)\tindex\tbest test\tindex\ttop-0.1% val\t")
	for _, ds := range nb201.Datasets() {
		for _, fid := range []int{200, 12} {
			t, err := nb201.Load(d, ds, fid)
			if err != nil {
				if !errors.Is(err, os.ErrNotExist) { // missing tables are listed, not errors
					problems = append(problems, err)
				}
				fmt.Fprintf(tw, "%s\t%d\t-\t\t\t\t\t\t\t\n", ds, fid)
				continue
			}
			bv, bt := t.Best(true), t.Best(false)
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.4f\t(%.4f)\t%d\t%.4f\t%d\t%.3f\t\n",
				ds, fid, t.Len(), bv.Val, bv.Test, bv.Index, bt.Test, bt.Index, t.Threshold(0.001, true))
		}
	}
	tw.Flush()

	zc := []struct{ file, kind string }{
		{"zero-cost/zc_nasbench201.json", ""},
		{"zero-cost/zc_transbench101_micro.json", "micro"},
		{"zero-cost/zc_transbench101_macro.json", "macro"},
	}
	fmt.Fprintln(stdout, "\nzero-cost proxy tables (NAS-Bench-Suite-Zero; val = the task's own metric):")
	tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "file\ttask\trows\tbest val\t")
	for _, z := range zc {
		if !present[z.file] {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t\n", filepath.Base(z.file))
			continue
		}
		p := filepath.Join(d, filepath.FromSlash(z.file))
		var tabs map[string]*bench.Table
		var err error
		if z.kind == "" {
			tabs, err = zerocost.LoadNB201(p)
		} else {
			tabs, err = zerocost.LoadTransNAS(p, z.kind)
		}
		if err != nil {
			problems = append(problems, err)
			fmt.Fprintf(tw, "%s\terror\t\t\t\n", filepath.Base(z.file))
			continue
		}
		names := make([]string, 0, len(tabs))
		for n := range tabs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.4f\t\n", filepath.Base(z.file), n, tabs[n].Len(), tabs[n].Best(true).Val)
		}
	}
	tw.Flush()

	fmt.Fprintln(stdout, "\nNATS-Bench topology archive (nats-tss-sample/):")
	if a, err := nats.OpenArchive(filepath.Join(d, "nats-tss-sample")); err != nil {
		if present["nats-tss-sample/meta.pickle.pbz2"] {
			problems = append(problems, err)
		}
		fmt.Fprintf(stdout, "  not available: %v\n", err)
	} else {
		n := 0
		for i := 0; i < a.Len(); i++ {
			if a.Has(i) {
				n++
			}
		}
		fmt.Fprintf(stdout, "  meta: %d archs; %d arch files present\n", a.Len(), n)
	}
	if len(problems) > 0 {
		return errors.Join(problems...)
	}
	return nil
}
