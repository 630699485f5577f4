package nn

import (
	"fmt"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
)

// padding returns the output size and the padding on each side of an axis
// of size n for an odd window k and stride s, as PyTorch's padding=k/2
// (so pretrained PyTorch weights carry over): k/2 on both sides, output
// floor((n+2*(k/2)-k)/s)+1. For stride 1 this is "same".
func padding(n, k, s int) (out, pad int) {
	pad = k / 2
	return (n+2*pad-k)/s + 1, pad
}

// patches gathers the k×k neighbourhood of every output position of x
// [B,H,W,C] (padding k/2, stride s) as k*k views, each [B,outH,outW,C], in
// row-major tap order.
//
// For stride s > 1 the padded image is first folded into s×s phases
// ([B,H/s,s,W/s,s,C], padded up to multiples of s): each tap is then a
// plain slice of one phase. Strided slices would do the same, but their
// gradient needs interior padding, which ONNX Runtime does not have.
func patches(x *graph.Node, k, s int, padValue float64) (taps []*graph.Node, outH, outW int) {
	if k%2 == 0 {
		panic(fmt.Errorf("nn: window %d: want an odd window size", k))
	}
	d := x.Shape().Dimensions
	b, c := d[0], d[3]
	outH, pad := padding(d[1], k, s)
	outW, _ = padding(d[2], k, s)
	hp, wp := d[1]+2*pad, d[2]+2*pad
	extraH, extraW := (s-hp%s)%s, (s-wp%s)%s
	if pad+extraH+extraW > 0 {
		x = graph.Pad(x, graph.Scalar(x.Graph(), x.DType(), padValue), graph.PadAxis{},
			graph.PadAxis{Start: pad, End: pad + extraH}, graph.PadAxis{Start: pad, End: pad + extraW}, graph.PadAxis{})
	}
	if s == 1 {
		for i := range k {
			for j := range k {
				taps = append(taps, graph.Slice(x, graph.AxisRange(), graph.AxisRange(i, i+outH), graph.AxisRange(j, j+outW), graph.AxisRange()))
			}
		}
		return taps, outH, outW
	}
	phases := graph.Reshape(x, b, (hp+extraH)/s, s, (wp+extraW)/s, s, c)
	for i := range k {
		for j := range k {
			tap := graph.Slice(phases, graph.AxisRange(),
				graph.AxisRange(i/s, i/s+outH), graph.AxisElem(i%s),
				graph.AxisRange(j/s, j/s+outW), graph.AxisElem(j%s), graph.AxisRange())
			taps = append(taps, graph.Reshape(tap, b, outH, outW, c))
		}
	}
	return taps, outH, outW
}

// Conv2D convolves x [B,H,W,Cin] with a k×k kernel into filters channels,
// with stride s and padding k/2 (PyTorch's convention for odd k), and no bias (BatchNorm usually follows;
// use Bias to add one). The kernel variable is "weights" [k,k,Cin,filters],
// He-initialised.
func Conv2D(c *Ctx, x *graph.Node, filters, k, s int) *graph.Node {
	if x.Rank() != 4 {
		panic(fmt.Errorf("nn.Conv2D %s: input shape %s, want [batch, height, width, channels]", c.Scope.Scope(), x.Shape()))
	}
	cin := x.Shape().Dimensions[3]
	kernel := c.heScope().VariableWithShape("weights", shapes.Make(x.DType(), k, k, cin, filters)).NodeValue(x.Graph())
	return Convolve2D(x, kernel, s)
}

// Convolve2D is the convolution of Conv2D with a given kernel [k,k,Cin,Cout]:
// the k*k shifted views of x are concatenated along channels (im2col) and
// multiplied by the reshaped kernel in one matrix product.
func Convolve2D(x, kernel *graph.Node, s int) *graph.Node {
	kd := kernel.Shape().Dimensions
	k, cin, cout := kd[0], kd[2], kd[3]
	b := x.Shape().Dimensions[0]
	taps, outH, outW := patches(x, k, s, 0)
	cols := taps[0]
	if len(taps) > 1 {
		cols = graph.Concatenate(taps, -1)
	}
	flat := graph.Reshape(cols, b*outH*outW, k*k*cin)
	out := graph.MatMul(flat, graph.Reshape(kernel, k*k*cin, cout))
	return graph.Reshape(out, b, outH, outW, cout)
}

// DepthwiseConv2D convolves each channel of x [B,H,W,C] with its own k×k
// filter (channel multiplier 1), stride s, padding k/2. The kernel
// variable is "depthwise" [k,k,C].
func DepthwiseConv2D(c *Ctx, x *graph.Node, k, s int) *graph.Node {
	if x.Rank() != 4 {
		panic(fmt.Errorf("nn.DepthwiseConv2D %s: input shape %s, want [batch, height, width, channels]", c.Scope.Scope(), x.Shape()))
	}
	ch := x.Shape().Dimensions[3]
	// Fan-in of a depthwise filter is k*k: initialise as He for that.
	kernel := c.heScope().VariableWithShape("depthwise", shapes.Make(x.DType(), k, k, 1, ch)).NodeValue(x.Graph())
	return DepthwiseConvolve2D(x, graph.Reshape(kernel, k, k, ch), s)
}

// DepthwiseConvolve2D is DepthwiseConv2D with a given kernel [k,k,C]: the sum
// over taps of each shifted view times its per-channel weight.
func DepthwiseConvolve2D(x, kernel *graph.Node, s int) *graph.Node {
	k := kernel.Shape().Dimensions[0]
	taps, _, _ := patches(x, k, s, 0)
	var sum *graph.Node
	for t, view := range taps {
		w := graph.Slice(kernel, graph.AxisElem(t/k), graph.AxisElem(t%k), graph.AxisRange()) // [1,1,C]
		term := graph.Mul(view, graph.Reshape(w, 1, 1, 1, -1))
		if sum == nil {
			sum = term
		} else {
			sum = graph.Add(sum, term)
		}
	}
	return sum
}

// Bias adds a trainable per-channel (last axis) "bias", zero-initialised.
func Bias(c *Ctx, x *graph.Node) *graph.Node {
	n := x.Shape().Dimensions[x.Rank()-1]
	b := c.Scope.VariableWithShape("bias", shapes.Make(x.DType(), n)).NodeValue(x.Graph())
	return graph.Add(x, graph.ExpandLeftToRank(b, x.Rank()))
}
