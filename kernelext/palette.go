package kernelext

import (
	"fmt"
	"hash/fnv"
	"image/color"

	"github.com/nasnb/nasnb/lapt/space"
)

// Palette is the series colour cycle shared by the interactive and the static
// renderings (ECharts' default palette), so both look alike.
var Palette = []string{"#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc"}

// opColors fixes the colour of the operations of the NAS-Bench-201 and DARTS
// spaces so that a given op looks the same in every drawing and chart.
var opColors = map[string]string{
	space.NameNone:    "#b0b0b0",
	space.NameSkip:    "#5470c6",
	space.NameConv1x1: "#3ba272",
	space.NameConv3x3: "#ee6666",
	space.NameAvgPool: "#fac858",
	"max_pool_3x3":    "#fc8452",
	"sep_conv_3x3":    "#9a60b4",
	"sep_conv_5x5":    "#ea7ccc",
	"dil_conv_3x3":    "#73c0de",
	"dil_conv_5x5":    "#91cc75",
}

// OpColor returns the colour ("#rrggbb") used for an operation name: fixed for
// the NAS-Bench-201 and DARTS ops, derived from a hash of the name otherwise.
func OpColor(op string) string {
	if c, ok := opColors[op]; ok {
		return c
	}
	h := fnv.New32a()
	h.Write([]byte(op))
	return Palette[int(h.Sum32()%uint32(len(Palette)))]
}

// seriesColor returns the i-th colour of Palette, cycling.
func seriesColor(i int) string { return Palette[i%len(Palette)] }

// parseHex converts "#rrggbb" to a color.NRGBA with the given alpha.
func parseHex(s string, alpha uint8) color.NRGBA {
	var r, g, b uint8
	if _, err := fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b); err != nil {
		return color.NRGBA{A: alpha}
	}
	return color.NRGBA{R: r, G: g, B: b, A: alpha}
}
