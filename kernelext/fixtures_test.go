package kernelext

import "math"

// Shared fixtures of the golden tests: deterministic, smooth-looking data.

func fixtureCurves() *CurveChart {
	mk := func(seed, rate float64) [][]float64 {
		var runs [][]float64
		for r := 0; r < 5; r++ {
			var scores []float64
			for i := 0; i < 20; i++ {
				v := 85 + 6*(1-math.Exp(-rate*float64(i+1))) + 1.5*math.Sin(seed*float64(r*7+i*3))
				scores = append(scores, v)
			}
			runs = append(runs, BestSoFar(scores))
		}
		return runs
	}
	return &CurveChart{
		Title:  "Best validation accuracy so far",
		YLabel: "accuracy (%)",
		Curves: []Curve{{Name: "REA (full space)", Runs: mk(1.3, 0.08)}, {Name: "LAPT (refined)", Runs: mk(2.1, 0.3)}},
		Band:   BandStd,
	}
}

func fixtureScatter() *ScatterChart {
	var x, y []float64
	var labels []string
	for i := 0; i < 40; i++ {
		p := 0.1 + 1.4*math.Abs(math.Sin(float64(i)*1.7))
		x = append(x, p)
		y = append(y, 80+8*math.Log1p(p)+2*math.Cos(float64(i)*2.3))
		labels = append(labels, "arch-"+string(rune('a'+i%26)))
	}
	return &ScatterChart{Title: "Accuracy vs parameters", XLabel: "parameters (M)", YLabel: "accuracy (%)",
		Series: []Points{{Name: "sampled", X: x, Y: y, Labels: labels}}}
}

func fixtureOpFreq() *OpFreqChart {
	return &OpFreqChart{
		Title: "Ops per edge in the top-50",
		Edges: []string{"0→1", "0→2", "1→2", "0→3", "1→3", "2→3"},
		Ops:   []string{"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"},
		Counts: [][]float64{
			{2, 3, 10, 33, 2}, {1, 4, 12, 30, 3}, {3, 5, 14, 26, 2},
			{1, 20, 9, 18, 2}, {4, 6, 15, 23, 2}, {2, 8, 12, 27, 1},
		},
	}
}

const fixtureArch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_3x3~1|none~2|"
