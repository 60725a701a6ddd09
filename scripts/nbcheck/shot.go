package main

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"regexp"
	"strings"
)

// chartColors are the first series colours of kernelext.Palette (ECharts'
// default palette): a drawn chart shows at least two of them.
var chartColors = []struct {
	name    string
	r, g, b int
}{
	{"blue #5470c6", 0x54, 0x70, 0xc6},
	{"green #91cc75", 0x91, 0xcc, 0x75},
	{"yellow #fac858", 0xfa, 0xc8, 0x58},
	{"red #ee6666", 0xee, 0x66, 0x66},
}

// minColorPixels is the number of pixels of one series colour that count as
// "drawn" (a 2 px line across a 600 px chart has over a thousand).
const minColorPixels = 400

// checkShot checks a screenshot: not blank, and at least two series colours
// drawn in quantity. With a DOM dump (chromium --dump-dom), it also checks that
// ECharts initialised the chart divs (so the picture is the interactive chart,
// not only the static fallback).
func checkShot(pngPath, domPath string) (string, error) {
	f, err := os.Open(pngPath)
	if err != nil {
		return "", err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return "", err
	}
	counts, nonWhite, total := colorCounts(img)
	if float64(nonWhite) < 0.01*float64(total) {
		return "", fmt.Errorf("blank screenshot (%d of %d pixels not white)", nonWhite, total)
	}
	var seen []string
	for i, c := range chartColors {
		if counts[i] >= minColorPixels {
			seen = append(seen, fmt.Sprintf("%s: %d px", c.name, counts[i]))
		}
	}
	if len(seen) < 2 {
		return "", fmt.Errorf("no drawn chart: series colours %v (need 2 with >= %d px)", counts, minColorPixels)
	}
	msg := strings.Join(seen, ", ")
	if domPath != "" {
		raw, err := os.ReadFile(domPath)
		if err != nil {
			return "", err
		}
		n, err := checkDOM(string(raw))
		if err != nil {
			return "", err
		}
		msg += fmt.Sprintf("; %d ECharts chart(s) initialised in the DOM", n)
	}
	return msg, nil
}

// colorCounts counts, per chart colour, the pixels close to it, and the
// non-white pixels.
func colorCounts(img image.Image) (counts []int, nonWhite, total int) {
	counts = make([]int, len(chartColors))
	bnd := img.Bounds()
	for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
		for x := bnd.Min.X; x < bnd.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			ri, gi, bi := int(r>>8), int(g>>8), int(b>>8)
			total++
			if ri < 245 || gi < 245 || bi < 245 {
				nonWhite++
			}
			for i, c := range chartColors {
				if abs(ri-c.r)+abs(gi-c.g)+abs(bi-c.b) <= 36 {
					counts[i]++
				}
			}
		}
	}
	return counts, nonWhite, total
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

var (
	echartsDiv = regexp.MustCompile(`<div[^>]*class="nasnb-echarts"[^>]*>`)
)

// checkDOM returns the number of chart divs that ECharts initialised (they
// carry the _echarts_instance_ attribute and a canvas); every chart div must be.
func checkDOM(dom string) (int, error) {
	divs := echartsDiv.FindAllString(dom, -1)
	if len(divs) == 0 {
		return 0, fmt.Errorf("DOM has no ECharts chart div")
	}
	n := 0
	for _, d := range divs {
		if strings.Contains(d, "_echarts_instance_") {
			n++
		}
	}
	if n < len(divs) {
		return n, fmt.Errorf("only %d of %d ECharts chart divs were initialised (window.echarts missing? RequireJS trap?)", n, len(divs))
	}
	if !strings.Contains(dom, "<canvas") {
		return n, fmt.Errorf("DOM has no canvas: charts not drawn")
	}
	return n, nil
}
