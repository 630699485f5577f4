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

// ReduceMaxFirst is graph.ReduceMax over axes, except for its gradient,
// which goes to one element of each reduced group: its first maximum in
// row-major order over the reduced axes (graph.ArgMax resolves ties to the
// smallest index). graph.ReduceMax gives the whole gradient to every tied
// maximum, so a channel that is flat (all zeros after a ReLU, a saturated
// ReLU6, quantised inputs) would pass back as many times the gradient as
// it has ties. Global max-pooling of imported models uses it.
func ReduceMaxFirst(x *graph.Node, axes ...int) *graph.Node {
	rank := x.Rank()
	reduced := make([]bool, rank)
	for _, a := range axes {
		reduced[graph.MustAdjustAxis(a, x)] = true
	}
	var kept, perm, keptDims []int
	n := 1
	for a := range rank {
		if !reduced[a] {
			kept = append(kept, a)
			keptDims = append(keptDims, x.Shape().Dimensions[a])
		}
	}
	perm = append(perm, kept...)
	for a := range rank {
		if reduced[a] {
			perm = append(perm, a)
			n *= x.Shape().Dimensions[a]
		}
	}
	flat := graph.Reshape(graph.TransposeAllDims(x, perm...), append(append([]int(nil), keptDims...), n)...)
	first := graph.StopGradient(graph.OneHot(graph.ArgMax(graph.StopGradient(flat), -1), n, x.DType()))
	y := graph.ReduceSum(graph.Mul(flat, first), -1)
	if len(keptDims) == 0 {
		return graph.Reshape(y)
	}
	return y
}

// GlobalAvgPool averages x [B,H,W,C] over height and width into [B,C].
func GlobalAvgPool(x *graph.Node) *graph.Node {
	return graph.ReduceMean(x, 1, 2)
}
