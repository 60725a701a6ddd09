package train

import (
	"context"
	"github.com/nasnb/nasnb/lapt/eval"
	"syscall"
	"testing"
	"time"

	"github.com/nasnb/nasnb/datasets/images"
)

// cpuTime is the CPU time (user + system, all threads) used by the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchTrain trains 1 epoch of steps+1 batches and reports images/s after the
// first step and the time to the first step (graph build + compile + init).
// On a shared machine wall-clock numbers depend on the load: img/cpu-s
// (images per CPU-second of this process) and cpu-s-to-first-step are the
// load-independent counterparts.
func benchTrain(b *testing.B, channels, cells, batch, steps int, arch string) {
	d, err := images.Synthetic(batch*(steps+1), 32, 32, 3, 10, 1)
	if err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Channels, cfg.Cells, cfg.BatchSize, cfg.Epochs = channels, cells, batch, 1
	for i := 0; i < b.N; i++ {
		var firstEnd, last time.Time
		var cpuStart, cpuFirst, cpuLast time.Duration
		cfg.OnStep.Add("timing", 0, func(s StepInfo) error {
			if s.Step == 1 {
				firstEnd, cpuFirst = time.Now(), cpuTime()
			}
			last, cpuLast = time.Now(), cpuTime()
			return nil
		})
		cpuStart = cpuTime()
		res, err := Train(context.Background(), arch, cfg, Data{Train: d})
		if err != nil || res.Status != eval.OK {
			b.Fatal(err, res.Err)
		}
		b.ReportMetric(float64(steps*batch)/last.Sub(firstEnd).Seconds(), "img/s")
		b.ReportMetric(res.FirstStep.Seconds(), "s-to-first-step")
		b.ReportMetric(float64(steps*batch)/(cpuLast-cpuFirst).Seconds(), "img/cpu-s")
		b.ReportMetric((cpuFirst - cpuStart).Seconds(), "cpu-s-to-first-step")
	}
}

const benchArch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"

// BenchmarkTrainTiny: C=8, N=1, 32x32x3, batch 64.
func BenchmarkTrainTiny(b *testing.B) { benchTrain(b, 8, 1, 64, 5, benchArch) }

// BenchmarkTrainBenchmarkNet: the NB201 network (C=16, N=5), batch 64.
func BenchmarkTrainBenchmarkNet(b *testing.B) { benchTrain(b, 16, 5, 64, 2, benchArch) }
