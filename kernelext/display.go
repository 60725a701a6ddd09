package kernelext

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// Out receives the plain-text renderings that the Display* helpers print when
// the program does not run inside a notebook; nil (the default) means the
// current os.Stdout. Set it to io.Discard to silence the helpers in a CLI.
var Out io.Writer

// out returns the writer for plain-text renderings.
func out() io.Writer {
	if Out != nil {
		return Out
	}
	return os.Stdout
}

// isNotebook reports whether the program runs in a GoNB kernel. Tests replace
// it together with send to observe what would be displayed.
var isNotebook = func() bool { return gonbui.IsNotebook }

// send delivers one display message; displayID non-empty updates that output in
// place (created on first use). Replaced in tests.
var send = func(data map[string]any, displayID string) {
	dd := &protocol.DisplayData{Data: make(map[protocol.MIMEType]any, len(data)), DisplayID: displayID}
	for k, v := range data {
		dd.Data[protocol.MIMEType(k)] = v
	}
	gonbui.SendData(dd)
}

// sync flushes the display pipe (no-op outside a notebook). Replaced in tests.
var sync_ = func() { gonbui.Sync() }

// newID returns a page-unique id for DOM elements and display ids. Replaced in
// tests by a deterministic counter.
var newID = func() string { return "nasnb" + gonbui.UniqueId() }

// IsNotebook reports whether the program was started by a GoNB kernel, in which
// case the Display* helpers send rich output instead of plain text.
func IsNotebook() bool { return isNotebook() }

// Sync waits until everything displayed so far reached the notebook. Display
// helpers already call it; call it yourself after gonbui calls of your own.
func Sync() {
	if isNotebook() {
		sync_()
	}
}

// DisplayData sends one output with several MIME representations at once (for
// example "text/html", "image/svg+xml" and "text/plain"), so that a front-end
// which refuses one of them (an untrusted notebook drops scripts) can use
// another. Outside a notebook it prints data["text/plain"], if any, to Out.
func DisplayData(data map[string]any) {
	if !isNotebook() {
		if s, ok := data["text/plain"].(string); ok && s != "" {
			printText(s)
		}
		return
	}
	send(data, "")
	sync_()
}

// printText writes s to Out with a trailing newline.
func printText(s string) {
	if len(s) > 0 && s[len(s)-1] == '\n' {
		fmt.Fprint(out(), s)
		return
	}
	fmt.Fprintln(out(), s)
}

// bundleOnce remembers whether this program run already sent the ECharts
// library: once per cell run, since each GoNB cell is a new program.
var bundleOnce sync.Mutex
var bundleSent bool

// ensureBundle displays the ECharts library (as its own output, guarded to load
// once per page) the first time a chart is displayed in this program run.
func ensureBundle() {
	bundleOnce.Lock()
	defer bundleOnce.Unlock()
	if bundleSent || !Interactive {
		return
	}
	bundleSent = true
	send(map[string]any{"text/html": EChartsScriptHTML(), "text/plain": ""}, "")
}
