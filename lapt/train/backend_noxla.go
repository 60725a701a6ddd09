//go:build !xla

package train

import (
	"fmt"

	"github.com/gomlx/compute"
)

// XLAAvailable reports whether this binary was built with the XLA backend (build tag xla).
const XLAAvailable = false

func newXLABackend(string) (compute.Backend, error) {
	return nil, fmt.Errorf("train: this binary has no XLA backend; rebuild with `CGO_ENABLED=1 go build -tags xla` " +
		"and run with GOMLX_BACKEND=xla:/abs/path/to/pjrt_plugin.so (see docs/training.md)")
}
