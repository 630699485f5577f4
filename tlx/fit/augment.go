package fit

import (
	"math/rand/v2"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/data"
)

// Augment randomly transforms training images, a new draw every batch
// (from Config.Seed). Any augmentation turns the feature cache off: a
// frozen prefix's outputs then differ every epoch.
type Augment struct {
	FlipHorizontal bool // mirror half of the images left-right
	CropPad        int  // pad by this many pixels (zeros) and crop back at a random offset
}

func (a Augment) active() bool { return a.FlipHorizontal || a.CropPad > 0 }

// apply builds the batch of examples idx, augmented when allowed (a lazily
// decoded data set then also applies its own data.ImageAugment).
func (a Augment) apply(d *data.Dataset, idx []int, rng *rand.Rand, allowed bool) (*tensors.Tensor, error) {
	size := d.Size()
	flat := make([]float32, len(idx)*size)
	var decodeRNG *rand.Rand
	if allowed {
		decodeRNG = rng
	}
	if err := d.Batch(flat, idx, decodeRNG); err != nil {
		return nil, err
	}
	if allowed && a.active() && len(d.Shape) == 3 {
		h, w, c := d.Shape[0], d.Shape[1], d.Shape[2]
		tmp := make([]float32, size)
		for i := range idx {
			img := flat[i*size : (i+1)*size]
			copy(tmp, img)
			flip := a.FlipHorizontal && rng.IntN(2) == 1
			dy, dx := 0, 0
			if a.CropPad > 0 {
				dy, dx = rng.IntN(2*a.CropPad+1)-a.CropPad, rng.IntN(2*a.CropPad+1)-a.CropPad
			}
			for y := range h {
				for x := range w {
					sy, sx := y+dy, x+dx
					if flip {
						sx = w - 1 - (x + dx)
					}
					for ch := range c {
						v := float32(0)
						if sy >= 0 && sy < h && sx >= 0 && sx < w {
							v = tmp[(sy*w+sx)*c+ch]
						}
						img[(y*w+x)*c+ch] = v
					}
				}
			}
		}
	}
	return tensors.FromFlatDataAndDimensions(flat, append([]int{len(idx)}, d.Shape...)...), nil
}
