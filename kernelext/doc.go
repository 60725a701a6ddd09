// Package kernelext holds the notebook helpers of nasnb: offline ECharts charts
// that carry a static SVG rendering, live progress and live curves that update
// in place, HTML tables, prose, and SVG drawings of cell DAGs.
//
// Every helper works in three places:
//
//   - In a GoNB notebook (gonbui.IsNotebook), Display* functions send rich
//     display data and call gonbui.Sync before returning, so the last display
//     of a fast cell is never lost.
//   - Outside a notebook (tests, the nasnb CLI), they print a plain-text
//     rendering to Out, or do nothing where no text makes sense.
//   - Functions named ...HTML and ...SVG, and the Option/SVG/Text methods of
//     the figures, return strings and need no kernel: they are what the tests
//     check with golden files.
//
// Charts are drawn by Apache ECharts (embedded, sent inline, no network) and
// each chart output also carries a gonum/plot SVG rendering, both inside its
// HTML (shown until the script draws the interactive chart) and as an
// image/svg+xml MIME entry, so the figure shows in untrusted notebooks, on
// GitHub and in nbconvert exports without JavaScript.
//
// GoNB runs every cell as a new program: Keep, Recall, Remember and
// WorkDir carry values and files from one cell to the next within a kernel
// (gob files in the kernel's temporary folder), and RunStudy,
// ShowStudy and RunSweep use them so that a 100-seed study or sweep runs
// once per kernel. Training is shown by the sub-package trainlive, the only
// one that imports lapt/train (GoMLX).
//
// kernelext must not be imported by the core library (lapt/...): the core
// exposes hook points (lists of named subscribers, see lapt/hook), and
// kernelext's adapters add their own subscribers next to the caller's, e.g.
//
//	kernelext.SearchProgress(&cfg.Hooks, "REA on cifar10")           // cfg is a search.Config
//	tcfg.Hooks = kernelext.TransferHooks(sp, "LAPT -> cifar10")      // tcfg is a transfer.Config
//
// (see ExampleSearchProgress and ExampleTransferHooks).
package kernelext
