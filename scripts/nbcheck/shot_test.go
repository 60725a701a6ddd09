package main

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writePNG(t *testing.T, fill func(img *image.RGBA)) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 200, 200))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	fill(img)
	path := filepath.Join(t.TempDir(), "shot.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestShot(t *testing.T) {
	blank := writePNG(t, func(*image.RGBA) {})
	if _, err := checkShot(blank, ""); err == nil || !strings.Contains(err.Error(), "blank") {
		t.Errorf("blank: %v", err)
	}
	grey := writePNG(t, func(img *image.RGBA) {
		for y := 0; y < 100; y++ {
			for x := 0; x < 200; x++ {
				img.Set(x, y, color.RGBA{120, 120, 120, 255})
			}
		}
	})
	if _, err := checkShot(grey, ""); err == nil || !strings.Contains(err.Error(), "no drawn chart") {
		t.Errorf("grey: %v", err)
	}
	chart := writePNG(t, func(img *image.RGBA) {
		for x := 0; x < 200; x++ {
			for w := 0; w < 3; w++ {
				img.Set(x, 50+w, color.RGBA{0x54, 0x70, 0xc6, 255})
				img.Set(x, 120+w, color.RGBA{0x91, 0xcc, 0x75, 255})
			}
		}
	})
	if _, err := checkShot(chart, ""); err != nil {
		t.Errorf("chart: %v", err)
	}
}

func TestCheckDOM(t *testing.T) {
	ok := `<div class="nasnb-echarts" id="a" _echarts_instance_="ec_1" style="display: block"><canvas></canvas></div>`
	if n, err := checkDOM(ok); err != nil || n != 1 {
		t.Errorf("ok DOM: %d %v", n, err)
	}
	notInit := `<div class="nasnb-echarts" id="a" style="display:none"></div>`
	if _, err := checkDOM(notInit); err == nil {
		t.Errorf("uninitialised chart accepted")
	}
	if _, err := checkDOM("<p>nothing</p>"); err == nil {
		t.Errorf("page without charts accepted")
	}
}
