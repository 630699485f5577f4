package nn

import (
	"math"

	"github.com/gomlx/gomlx/core/graph"
)

// MaxPool takes the maximum over k×k windows of x [B,H,W,C] with stride s.
// When the windows tile the image exactly (k == s, sides divisible by k) it
// is a reshape and a reduction; otherwise k must be odd, the padding is k/2
// (PyTorch's convention, e.g. ResNet's 3×3/2 stem pool) and the result the
// maximum of the k*k shifted views. Both avoid the backend's window ops, which are
// slow on the Go backend and whose gradient was found wrong on ONNX Runtime.
func MaxPool(x *graph.Node, k, s int) *graph.Node {
	d := x.Shape().Dimensions
	if k == s && d[1]%k == 0 && d[2]%k == 0 {
		return graph.ReduceMax(graph.Reshape(x, d[0], d[1]/k, k, d[2]/k, k, d[3]), 2, 4)
	}
	taps, _, _ := patches(x, k, s, math.Inf(-1))
	m := taps[0]
	for _, t := range taps[1:] {
		m = graph.Max(m, t)
	}
	return m
}

// GlobalAvgPool averages x [B,H,W,C] over height and width into [B,C].
func GlobalAvgPool(x *graph.Node) *graph.Node {
	return graph.ReduceMean(x, 1, 2)
}
