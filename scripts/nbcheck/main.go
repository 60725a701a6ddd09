// Command nbcheck checks executed Jupyter notebooks and their renderings for
// the nasnb notebook tests (mk/notebooks.mk).
//
//	nbcheck check NB.ipynb...        generic checks + the notebook's metadata.nasnb.expect
//	nbcheck summary NB.ipynb         print the text outputs of the cells tagged "summary"
//	nbcheck shot [-dom D.html] P.png check a screenshot shows a drawn chart
//	nbcheck slim IN.ipynb OUT.ipynb  copy an executed notebook for committing
//	                                 (without the ECharts library outputs)
//
// Generic checks: no error outputs and no Go panics or GoNB errors on stderr;
// every non-empty code cell executed; no absolute paths of the machine and no
// secrets (API keys, bearer tokens) in the outputs. Expectations (in the
// notebook metadata, see docs/notebooks.md):
//
//	"nasnb": {"expect": [
//	  {"tag": "chart", "chart": true, "contains": ["LAPT"]},
//	  {"source": "NewProgress", "match": [{"regex": "best ([0-9.]+)", "min": 80, "max": 100}]}
//	]}
package main

import (
	"fmt"
	"os"
)

func usage() {
	fmt.Fprintln(os.Stderr, "usage: nbcheck check NB.ipynb... | nbcheck summary NB.ipynb | nbcheck slim IN.ipynb OUT.ipynb | nbcheck shot [-dom DOM.html] SHOT.png")
	os.Exit(2)
}

func main() {
	if len(os.Args) < 3 {
		usage()
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "check":
		failed := false
		for _, path := range args {
			nb, err := readNotebook(path)
			if err != nil {
				fmt.Fprintf(os.Stderr, "nbcheck: %v\n", err)
				failed = true
				continue
			}
			rep := checkNotebook(nb, defaultPathPatterns())
			for _, w := range rep.Warnings {
				fmt.Fprintf(os.Stderr, "nbcheck: %s: warning: %s\n", path, w)
			}
			for _, p := range rep.Problems {
				fmt.Fprintf(os.Stderr, "nbcheck: %s: %s\n", path, p)
			}
			if len(rep.Problems) > 0 {
				failed = true
				continue
			}
			fmt.Printf("   nbcheck: %s ok (%d code cells, %d expectations)\n", path, rep.CodeCells, rep.Expectations)
		}
		if failed {
			os.Exit(1)
		}
	case "summary":
		nb, err := readNotebook(args[0])
		if err != nil {
			fmt.Fprintf(os.Stderr, "nbcheck: %v\n", err)
			os.Exit(1)
		}
		fmt.Print(summary(nb))
	case "slim":
		if len(args) != 2 {
			usage()
		}
		n, err := slimNotebook(args[0], args[1])
		if err != nil {
			fmt.Fprintf(os.Stderr, "nbcheck: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("   nbcheck: wrote %s (%d ECharts library outputs left out)\n", args[1], n)
	case "shot":
		dom := ""
		if len(args) >= 2 && (args[0] == "-dom" || args[0] == "--dom") {
			dom, args = args[1], args[2:]
		}
		if len(args) != 1 {
			usage()
		}
		msg, err := checkShot(args[0], dom)
		if err != nil {
			fmt.Fprintf(os.Stderr, "nbcheck: %s: %v\n", args[0], err)
			os.Exit(1)
		}
		fmt.Printf("   nbcheck: %s ok: %s\n", args[0], msg)
	default:
		usage()
	}
}
