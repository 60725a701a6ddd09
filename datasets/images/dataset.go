// Package images holds small in-memory image classification datasets for
// training NAS candidates: CIFAR-10/100 (official binary format, from a folder
// or the tarball, with a checksum-verifying downloader), MNIST and
// Fashion-MNIST (IDX files) and a synthetic set for fast tests. It has no
// dependency on GoMLX: images are plain []float32 in NHWC order.
//
// Everything random (splits, shuffling, augmentation) takes an explicit seed.
package images

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Dataset is a labelled set of images stored as float32 NHWC (pixels in [0,1]
// after loading, or normalised by [Dataset.Normalize]).
type Dataset struct {
	Name                    string
	Height, Width, Channels int
	Classes                 int
	Images                  []float32 // Len()*Height*Width*Channels values
	Labels                  []int32   // one per image, in [0, Classes)
}

// Len returns the number of images.
func (d *Dataset) Len() int { return len(d.Labels) }

// ImageSize returns the number of float32 values per image.
func (d *Dataset) ImageSize() int { return d.Height * d.Width * d.Channels }

// Image returns image i (a slice of d.Images, not a copy).
func (d *Dataset) Image(i int) []float32 {
	s := d.ImageSize()
	return d.Images[i*s : (i+1)*s]
}

// Validate checks sizes and labels.
func (d *Dataset) Validate() error {
	if d.Height <= 0 || d.Width <= 0 || d.Channels <= 0 || d.Classes <= 0 {
		return fmt.Errorf("images: dataset %q has bad shape %dx%dx%d, %d classes", d.Name, d.Height, d.Width, d.Channels, d.Classes)
	}
	if len(d.Images) != d.Len()*d.ImageSize() {
		return fmt.Errorf("images: dataset %q has %d values for %d images of %d", d.Name, len(d.Images), d.Len(), d.ImageSize())
	}
	for i, l := range d.Labels {
		if l < 0 || int(l) >= d.Classes {
			return fmt.Errorf("images: dataset %q: label %d of image %d not in [0,%d)", d.Name, l, i, d.Classes)
		}
	}
	return nil
}

// Subset returns a new dataset with the images at idx (copied).
func (d *Dataset) Subset(idx []int) *Dataset {
	s := d.ImageSize()
	out := &Dataset{Name: d.Name, Height: d.Height, Width: d.Width, Channels: d.Channels, Classes: d.Classes,
		Images: make([]float32, 0, len(idx)*s), Labels: make([]int32, 0, len(idx))}
	for _, i := range idx {
		out.Images = append(out.Images, d.Image(i)...)
		out.Labels = append(out.Labels, d.Labels[i])
	}
	return out
}

// Head returns the first n images (all if n <= 0 or n >= Len).
func (d *Dataset) Head(n int) *Dataset {
	if n <= 0 || n >= d.Len() {
		return d
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return d.Subset(idx)
}

// Split holds out valCount images (chosen with seed) as a validation set and
// returns (train, validation). The test set stays separate.
func (d *Dataset) Split(valCount int, seed uint64) (train, val *Dataset, err error) {
	if valCount < 0 || valCount >= d.Len() {
		return nil, nil, fmt.Errorf("images: cannot hold out %d of %d images", valCount, d.Len())
	}
	perm := rand.New(rand.NewPCG(seed, 0x5eed)).Perm(d.Len())
	val = d.Subset(perm[:valCount])
	train = d.Subset(perm[valCount:])
	val.Name, train.Name = d.Name+"/valid", d.Name+"/train"
	return train, val, nil
}

// MeanStd returns the per-channel mean and standard deviation of the pixels.
func (d *Dataset) MeanStd() (mean, std []float32) {
	c := d.Channels
	sum := make([]float64, c)
	sq := make([]float64, c)
	for i, v := range d.Images {
		sum[i%c] += float64(v)
		sq[i%c] += float64(v) * float64(v)
	}
	n := float64(len(d.Images) / c)
	mean, std = make([]float32, c), make([]float32, c)
	for k := 0; k < c; k++ {
		m := sum[k] / n
		v := sq[k]/n - m*m
		if v < 1e-12 {
			v = 1e-12
		}
		mean[k] = float32(m)
		std[k] = float32(math.Sqrt(v))
	}
	return mean, std
}

// Normalize applies (x - mean[c]) / std[c] per channel, in place.
func (d *Dataset) Normalize(mean, std []float32) error {
	c := d.Channels
	if len(mean) != c || len(std) != c {
		return fmt.Errorf("images: normalise %q: want %d means/stds, got %d/%d", d.Name, c, len(mean), len(std))
	}
	for i := range d.Images {
		k := i % c
		if std[k] == 0 {
			return fmt.Errorf("images: normalise %q: zero std for channel %d", d.Name, k)
		}
		d.Images[i] = (d.Images[i] - mean[k]) / std[k]
	}
	return nil
}

// CIFAR10Mean and CIFAR10Std are the usual per-channel statistics (pixels in [0,1]).
var (
	CIFAR10Mean  = []float32{0.4914, 0.4822, 0.4465}
	CIFAR10Std   = []float32{0.2470, 0.2435, 0.2616}
	CIFAR100Mean = []float32{0.5071, 0.4865, 0.4409}
	CIFAR100Std  = []float32{0.2673, 0.2564, 0.2762}
)
