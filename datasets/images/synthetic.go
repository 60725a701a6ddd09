package images

import (
	"fmt"
	"math/rand/v2"
)

// Synthetic returns a small learnable dataset: each class has a fixed random
// prototype image and samples are the prototype plus Gaussian noise. Same seed,
// same data.
func Synthetic(n, height, width, channels, classes int, seed uint64) (*Dataset, error) {
	if n <= 0 || height <= 0 || width <= 0 || channels <= 0 || classes < 2 {
		return nil, fmt.Errorf("images: bad synthetic spec n=%d %dx%dx%d classes=%d", n, height, width, channels, classes)
	}
	r := rand.New(rand.NewPCG(seed, 0x51e7))
	s := height * width * channels
	protos := make([]float32, classes*s)
	for i := range protos {
		protos[i] = r.Float32()
	}
	d := &Dataset{Name: "synthetic", Height: height, Width: width, Channels: channels, Classes: classes,
		Images: make([]float32, n*s), Labels: make([]int32, n)}
	for i := 0; i < n; i++ {
		c := r.IntN(classes)
		d.Labels[i] = int32(c)
		img := d.Images[i*s : (i+1)*s]
		p := protos[c*s : (c+1)*s]
		for k := range img {
			img[k] = p[k] + 0.3*float32(r.NormFloat64())
		}
	}
	return d, nil
}
