package train

import (
	"fmt"
	"os"
	"strings"

	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// resume attaches the checkpoint cfg.ResumeFrom (if any) to store, so that
// every variable (weights, batch-norm statistics, momentum, global step)
// takes its saved value when the graph creates it, and returns the epoch to
// continue from. The checkpoint must end on an epoch boundary of this recipe.
func resume(store *model.Store, cfg Config, stepsPerEpoch int) (int, error) {
	if cfg.ResumeFrom == "" {
		return 0, nil
	}
	if _, err := os.Stat(cfg.ResumeFrom); err != nil {
		return 0, fmt.Errorf("resume: %w", err)
	}
	h, err := checkpoint.Build(store).Dir(cfg.ResumeFrom).Keep(1).Done()
	if err != nil {
		return 0, fmt.Errorf("resume from %s: %w", cfg.ResumeFrom, err)
	}
	var step int64 = -1
	for name, t := range h.LoadedVariables() {
		if strings.HasSuffix(name, "/"+optimizer.GlobalStepVariableName) && !strings.Contains(name, "trainer") {
			switch v := t.Value().(type) {
			case float32:
				step = int64(v)
			case float64:
				step = int64(v)
			case int64:
				step = v
			case int32:
				step = int64(v)
			}
		}
	}
	if step < 0 {
		return 0, fmt.Errorf("resume from %s: no global step in the checkpoint", cfg.ResumeFrom)
	}
	if step%int64(stepsPerEpoch) != 0 {
		return 0, fmt.Errorf("resume from %s: step %d is not at an epoch boundary (%d steps per epoch): different recipe?", cfg.ResumeFrom, step, stepsPerEpoch)
	}
	epoch := int(step) / stepsPerEpoch
	if epoch > cfg.Epochs {
		return 0, fmt.Errorf("resume from %s: already trained %d epochs, more than the %d asked", cfg.ResumeFrom, epoch, cfg.Epochs)
	}
	return epoch, nil
}
