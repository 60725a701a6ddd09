package images

import (
	"fmt"
	"iter"
	"math/rand/v2"
)

// Augment configures CIFAR-style training augmentation.
type Augment struct {
	CropPad int  // random crop after zero padding by CropPad pixels (4 for CIFAR); 0 disables
	Flip    bool // random horizontal flip with probability 1/2
}

// CIFARAugment is the standard CIFAR recipe: pad 4, random crop, horizontal flip.
var CIFARAugment = Augment{CropPad: 4, Flip: true}

// Batch is one mini-batch: N images (NHWC float32) and their labels.
type Batch struct {
	Images []float32
	Labels []int32
	N      int
}

// Batcher iterates over a dataset in mini-batches, reshuffling each epoch with
// a seed derived from (Seed, epoch) and applying the augmentation.
type Batcher struct {
	Data      *Dataset
	BatchSize int
	Seed      uint64
	Shuffle   bool
	Augment   Augment
	// DropLast skips a final partial batch (keeps every batch the same shape,
	// so a compiled graph is reused).
	DropLast bool
}

// NewBatcher checks the arguments and returns a Batcher.
func NewBatcher(d *Dataset, batchSize int, seed uint64, shuffle bool, aug Augment, dropLast bool) (*Batcher, error) {
	if d == nil || d.Len() == 0 {
		return nil, fmt.Errorf("images: empty dataset")
	}
	if batchSize <= 0 {
		return nil, fmt.Errorf("images: batch size must be positive, got %d", batchSize)
	}
	if dropLast && batchSize > d.Len() {
		return nil, fmt.Errorf("images: batch size %d larger than dataset %q (%d images)", batchSize, d.Name, d.Len())
	}
	return &Batcher{Data: d, BatchSize: batchSize, Seed: seed, Shuffle: shuffle, Augment: aug, DropLast: dropLast}, nil
}

// Steps returns the number of batches per epoch.
func (b *Batcher) Steps() int {
	n := b.Data.Len() / b.BatchSize
	if !b.DropLast && b.Data.Len()%b.BatchSize != 0 {
		n++
	}
	return n
}

// Epoch yields the batches of one epoch. Batches are freshly allocated.
func (b *Batcher) Epoch(epoch int) iter.Seq[Batch] {
	return func(yield func(Batch) bool) {
		d := b.Data
		r := rand.New(rand.NewPCG(b.Seed, uint64(epoch)+1))
		order := make([]int, d.Len())
		for i := range order {
			order[i] = i
		}
		if b.Shuffle {
			r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		s := d.ImageSize()
		for start := 0; start < len(order); start += b.BatchSize {
			end := min(start+b.BatchSize, len(order))
			if b.DropLast && end-start < b.BatchSize {
				return
			}
			n := end - start
			bt := Batch{Images: make([]float32, n*s), Labels: make([]int32, n), N: n}
			for k, i := range order[start:end] {
				dst := bt.Images[k*s : (k+1)*s]
				if b.Augment.CropPad > 0 || b.Augment.Flip {
					augmentInto(dst, d.Image(i), d.Height, d.Width, d.Channels, b.Augment, r)
				} else {
					copy(dst, d.Image(i))
				}
				bt.Labels[k] = d.Labels[i]
			}
			if !yield(bt) {
				return
			}
		}
	}
}

// augmentInto writes a randomly cropped (zero padded) and flipped copy of src.
func augmentInto(dst, src []float32, h, w, c int, a Augment, r *rand.Rand) {
	dy, dx := 0, 0
	if a.CropPad > 0 {
		dy = r.IntN(2*a.CropPad+1) - a.CropPad
		dx = r.IntN(2*a.CropPad+1) - a.CropPad
	}
	flip := a.Flip && r.IntN(2) == 1
	for y := 0; y < h; y++ {
		sy := y + dy
		for x := 0; x < w; x++ {
			sx := x + dx
			if flip {
				sx = w - 1 - x + dx
			}
			o := (y*w + x) * c
			if sy < 0 || sy >= h || sx < 0 || sx >= w {
				for k := 0; k < c; k++ {
					dst[o+k] = 0
				}
				continue
			}
			copy(dst[o:o+c], src[(sy*w+sx)*c:(sy*w+sx)*c+c])
		}
	}
}
