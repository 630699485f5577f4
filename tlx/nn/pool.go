package nn

import (
	"math"

	"github.com/gomlx/gomlx/core/graph"
)

// MaxPool takes the maximum over k×k windows of x [B,H,W,C] with stride s.
// When the windows tile the image exactly (k == s, sides divisible by k)
// the windows are the k*k phases of a reshape; otherwise k must be odd, the
// padding is k/2 (PyTorch's convention, e.g. ResNet's 3×3/2 stem pool) and
// the windows are the k*k shifted views. Both avoid the backend's window
// ops, which are slow on the Go backend and whose gradient was found wrong
// on ONNX Runtime.
//
// The gradient of each window goes to one element, its first maximum in
// row-major order, as PyTorch's max_pool2d does. (graph.ReduceMax would give
// the whole gradient to every tied maximum: an all-zero window after a ReLU
// would pass back k*k times its gradient.)
func MaxPool(x *graph.Node, k, s int) *graph.Node {
	d := x.Shape().Dimensions
	var taps []*graph.Node
	if k == s && d[1]%k == 0 && d[2]%k == 0 {
		b, h, w, c := d[0], d[1]/k, d[2]/k, d[3]
		phases := graph.Reshape(x, b, h, k, w, k, c)
		for i := range k {
			for j := range k {
				tap := graph.Slice(phases, graph.AxisRange(), graph.AxisRange(), graph.AxisElem(i),
					graph.AxisRange(), graph.AxisElem(j), graph.AxisRange())
				taps = append(taps, graph.Reshape(tap, b, h, w, c))
			}
		}
	} else {
		taps, _, _ = patches(x, k, s, math.Inf(-1))
	}
	return firstMax(taps)
}

// firstMax is the elementwise maximum of views, whose gradient goes to the
// first view holding the maximum: graph.Max(a, b) gives a tie to a.
func firstMax(views []*graph.Node) *graph.Node {
	m := views[0]
	for _, v := range views[1:] {
		m = graph.Max(m, v)
	}
	return m
}

// GlobalAvgPool averages x [B,H,W,C] over height and width into [B,C].
func GlobalAvgPool(x *graph.Node) *graph.Node {
	return graph.ReduceMean(x, 1, 2)
}
