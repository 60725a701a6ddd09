package train

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
)

// DefaultGoBackendConfig is the pure-Go backend configuration used when none is
// given: the parallel executor can deadlock on 2 cores, so parallelism is -1
// (the runtime default of worker handling) unless GOMLX_BACKEND says otherwise.
const DefaultGoBackendConfig = "parallelism=-1"

var (
	backendMu    sync.Mutex
	backendCache = map[string]compute.Backend{}
)

// NewBackend returns the (cached, shared) compute backend for a name:
//
//   - "" or "go": the pure-Go CPU backend ("go:CONFIG" passes CONFIG, e.g. "go:parallelism=2");
//   - "xla" or "xla:PLUGIN[,options]": XLA/PJRT, only in binaries built with
//     `-tags xla` (cgo); the plugin is never downloaded (GOMLX_NO_AUTO_INSTALL
//     semantics), so PLUGIN must be an absolute path to a PJRT .so or a plugin
//     found through PJRT_PLUGIN_LIBRARY_PATH.
//
// An empty name reads GOMLX_BACKEND, defaulting to "go".
func NewBackend(name string) (b compute.Backend, err error) {
	if name == "" {
		name = os.Getenv("GOMLX_BACKEND")
	}
	if name == "" {
		name = "go"
	}
	backendMu.Lock()
	defer backendMu.Unlock()
	if b, ok := backendCache[name]; ok {
		return b, nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("train: creating backend %q: %v", name, r)
		}
	}()
	kind, config, _ := strings.Cut(name, ":")
	switch kind {
	case "go":
		if config == "" {
			config = DefaultGoBackendConfig
		}
		b, err = gobackend.New(config)
	case "xla", "stablehlo":
		b, err = newXLABackend(config)
	default:
		return nil, fmt.Errorf("train: unknown backend %q (want go or xla)", name)
	}
	if err != nil {
		return nil, err
	}
	backendCache[name] = b
	return b, nil
}
