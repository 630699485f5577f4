package onnxops

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/gomlx/core/graph"
)

// convertPad is Pad in every opset (pads as attribute or input; constant,
// reflect and edge modes; optional axes).
func convertPad(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	g := ctx.Graph()
	x := in[0]
	rank := x.Rank()
	pads := attrInts(n, "pads", nil)
	fillValue := graph.Scalar(g, x.DType(), attrFloat(n, "value", 0))
	if len(in) > 1 && in[1] != nil {
		pads = staticInts(in[1], "Pad's pads")
	}
	if len(in) > 2 && in[2] != nil {
		fillValue = graph.ConvertDType(graph.Reshape(in[2]), x.DType())
	}
	axes := make([]int, rank)
	for i := range axes {
		axes[i] = i
	}
	if len(in) > 3 && in[3] != nil {
		axes = staticInts(in[3], "Pad's axes")
		for i, a := range axes {
			if a < 0 {
				axes[i] = a + rank
			}
		}
	}
	if len(pads) != 2*len(axes) {
		panic(fmt.Errorf("Pad %q: %d pads for %d axes", n.Name, len(pads), len(axes)))
	}
	begin, end := make([]int, rank), make([]int, rank)
	for i, a := range axes {
		begin[a], end[a] = pads[i], pads[i+len(axes)]
	}
	switch mode := attrString(n, "mode", "constant"); mode {
	case "constant":
		cfg := make([]compute.PadAxis, rank)
		for a := range rank {
			cfg[a] = compute.PadAxis{Start: begin[a], End: end[a]}
		}
		return []*graph.Node{graph.Pad(x, fillValue, cfg...)}
	case "reflect", "edge", "wrap":
		for a := range rank {
			x = padAxis(x, a, begin[a], end[a], mode)
		}
		return []*graph.Node{x}
	default:
		panic(fmt.Errorf("Pad %q: mode %q is not an ONNX mode", n.Name, mode))
	}
}

// padAxis pads one axis by reflecting, repeating the edge or wrapping.
func padAxis(x *graph.Node, axis, before, after int, mode string) *graph.Node {
	if before == 0 && after == 0 {
		return x
	}
	size := x.Shape().Dimensions[axis]
	slice := func(from, to int) *graph.Node {
		return graph.SliceAxis(x, axis, graph.AxisRange(from, to))
	}
	var parts []*graph.Node
	for i := before; i > 0; i-- { // positions -i
		var src int
		switch mode {
		case "reflect":
			src = i
		case "edge":
			src = 0
		default: // wrap
			src = size - i
		}
		parts = append(parts, slice(src, src+1))
	}
	parts = append(parts, x)
	for i := 1; i <= after; i++ { // positions size-1+i
		var src int
		switch mode {
		case "reflect":
			src = size - 1 - i
		case "edge":
			src = size - 1
		default:
			src = i - 1
		}
		parts = append(parts, slice(src, src+1))
	}
	return graph.Concatenate(parts, axis)
}
