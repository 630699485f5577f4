package testutil

import (
	"math/rand/v2"

	"github.com/gomlx/gomlx/core/tensors"
)

// UniformBatch is a seeded batch of float32 inputs in [0, 1) of shape
// [batch, example...]; stream picks an independent sequence for the seed.
func UniformBatch(batch int, example []int, seed, stream uint64) *tensors.Tensor {
	rng := rand.New(rand.NewPCG(seed, stream))
	dims := append([]int{batch}, example...)
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = rng.Float32()
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}
