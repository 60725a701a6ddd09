//go:build xla

package train

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/go-xla/compute/xla"
)

// XLAAvailable reports whether this binary was built with the XLA backend (build tag xla).
const XLAAvailable = true

func init() {
	// Never download PJRT plugins: the autoinstall package is not linked, and
	// this makes the intent explicit for any code that links it later.
	_ = os.Setenv("GOMLX_NO_AUTO_INSTALL", "1")
	xla.EnableAutoInstall(false)
}

func newXLABackend(config string) (compute.Backend, error) {
	plugin, _, _ := strings.Cut(config, ",")
	if filepath.IsAbs(plugin) {
		if _, err := os.Stat(plugin); err != nil {
			return nil, fmt.Errorf("train: PJRT plugin %q not found (%v); on the GPU machine use "+
				"GOMLX_BACKEND=xla:/opt/torch/.venv/lib/python3.12/site-packages/jax_plugins/xla_cuda13/xla_cuda_plugin.so "+
				"with LD_LIBRARY_PATH set to the nvidia/*/lib folders (docs/training.md)", plugin, err)
		}
	}
	b, err := xla.New(config)
	if err != nil {
		return nil, fmt.Errorf("train: XLA backend %q: %w (no auto-install: give the absolute path of a PJRT plugin, "+
			"e.g. GOMLX_BACKEND=xla:/path/xla_cuda_plugin.so, or set PJRT_PLUGIN_LIBRARY_PATH; see docs/training.md)", config, err)
	}
	return b, nil
}
