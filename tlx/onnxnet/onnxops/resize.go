package onnxops

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// resizeSpec is a Resize node's attributes.
type resizeSpec struct {
	mode, coord, nearest string
	cubicA               float64
	excludeOutside       bool
	extrapolation        float64
}

// convertResize is Resize (every opset) and Upsample, as ONNX's reference
// defines them: separable per axis, each axis a constant interpolation
// matrix (nearest, linear or cubic taps with edge padding) applied by a dot
// product, so that gradients flow.
func convertResize(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	g := ctx.Graph()
	x := in[0]
	rank := x.Rank()
	spec := resizeSpec{
		mode:           attrString(n, "mode", "nearest"),
		coord:          attrString(n, "coordinate_transformation_mode", "half_pixel"),
		nearest:        attrString(n, "nearest_mode", "round_prefer_floor"),
		cubicA:         attrFloat(n, "cubic_coeff_a", -0.75),
		excludeOutside: attrInt(n, "exclude_outside", 0) == 1,
		extrapolation:  attrFloat(n, "extrapolation_value", 0),
	}
	if attrInt(n, "antialias", 0) == 1 {
		panic(fmt.Errorf("Resize %q: antialias is not supported by tlx", n.Name))
	}
	var scales, roi []float64
	var sizes []int
	input := func(i int) *graph.Node {
		if i < len(in) {
			return in[i]
		}
		return nil
	}
	switch {
	case n.OpType == "Upsample" || ctx.Opset() < 11:
		spec.coord, spec.nearest = "asymmetric", "floor"
		if spec.mode == "bilinear" || spec.mode == "linear" {
			spec.mode = "linear"
		}
		scales = attrFloats(n, "scales")
		if input(1) != nil {
			scales = staticFloats(input(1), "Resize's scales")
		}
	default:
		roi = staticFloats(input(1), "Resize's roi")
		scales = staticFloats(input(2), "Resize's scales")
		sizes = staticInts(input(3), "Resize's sizes")
	}
	axes := attrInts(n, "axes", nil)
	if axes == nil {
		axes = make([]int, rank)
		for i := range axes {
			axes[i] = i
		}
	}
	if len(sizes) == 0 && len(scales) != len(axes) {
		panic(fmt.Errorf("Resize %q: %d scales for %d axes (and no sizes)", n.Name, len(scales), len(axes)))
	}
	dt := x.DType()
	if !dt.IsFloat() {
		x = graph.ConvertDType(x, dtypes.Float32)
	}
	var outside *graph.Node // tf_crop_and_resize: positions outside the input
	for i, a := range axes {
		if a < 0 {
			a += rank
		}
		inDim := x.Shape().Dimensions[a]
		var out int
		var scale float64
		if len(sizes) > 0 {
			out = sizes[i]
			scale = float64(out) / float64(inDim)
		} else {
			scale = scales[i]
			out = int(math.Floor(float64(inDim) * scale))
		}
		start, end := 0.0, 1.0
		if len(roi) == 2*len(axes) {
			start, end = roi[i], roi[i+len(axes)]
		}
		if out == inDim && scale == 1 && spec.coord != "tf_crop_and_resize" {
			continue
		}
		weights, flags := spec.matrix(out, inDim, scale, start, end)
		w := graph.Const(g, tensors.FromFlatDataAndDimensions(weights, out, inDim))
		x = applyOnAxis(x, graph.ConvertDType(w, x.DType()), a)
		if slices.Contains(flags, true) {
			shape := make([]int, rank)
			for j := range shape {
				shape[j] = 1
			}
			shape[a] = out
			mask := graph.Reshape(graph.Const(g, flags), shape...)
			if outside == nil {
				outside = mask
			} else {
				outside = graph.LogicalOr(outside, mask)
			}
		}
	}
	if outside != nil {
		fillValue := graph.Scalar(g, x.DType(), spec.extrapolation)
		x = graph.Where(graph.BroadcastToDims(outside, x.Shape().Dimensions...), graph.BroadcastToDims(fillValue, x.Shape().Dimensions...), x)
	}
	if !dt.IsFloat() {
		x = graph.ConvertDType(graph.Round(x), dt)
	}
	return []*graph.Node{x}
}

// applyOnAxis contracts x's axis with w [out, in], keeping the axis order.
func applyOnAxis(x, w *graph.Node, axis int) *graph.Node {
	y := graph.DotGeneral(x, []int{axis}, nil, w, []int{1}, nil) // x's other axes, then out
	perm := make([]int, 0, x.Rank())
	for i := range x.Rank() - 1 {
		if i == axis {
			perm = append(perm, x.Rank()-1)
		}
		perm = append(perm, i)
	}
	if axis == x.Rank()-1 {
		perm = append(perm, x.Rank()-1)
	}
	return graph.TransposeAllDims(y, perm...)
}

// source maps output index i to a coordinate in the input.
// out is the unrounded output length (input length times scale), as in
// ONNX's reference.
func (s resizeSpec) source(i int, out float64, in int, scale, start, end float64) float64 {
	x := float64(i)
	switch s.coord {
	case "half_pixel":
		return (x+0.5)/scale - 0.5
	case "half_pixel_symmetric":
		adjust := out / (scale * float64(in))
		centre := float64(in) / 2
		return centre*(1-adjust) + (x+0.5)/scale - 0.5
	case "pytorch_half_pixel":
		if out > 1 {
			return (x+0.5)/scale - 0.5
		}
		return 0
	case "align_corners":
		if out == 1 {
			return 0
		}
		return x * float64(in-1) / (out - 1)
	case "asymmetric":
		return x / scale
	case "tf_half_pixel_for_nn":
		return (x + 0.5) / scale
	case "tf_crop_and_resize":
		if out > 1 {
			return start*float64(in-1) + x*(end-start)*float64(in-1)/(out-1)
		}
		return 0.5 * (start + end) * float64(in-1)
	}
	panic(fmt.Errorf("Resize: coordinate_transformation_mode %q is not an ONNX mode", s.coord))
}

// matrix is the [out, in] interpolation matrix of one axis, and which
// output positions fall outside the input (tf_crop_and_resize only).
func (s resizeSpec) matrix(out, in int, scale, start, end float64) ([]float32, []bool) {
	w := make([]float32, out*in)
	flags := make([]bool, out)
	clamp := func(i int) int { return min(max(i, 0), in-1) }
	for i := range out {
		x := s.source(i, scale*float64(in), in, scale, start, end)
		row := w[i*in : (i+1)*in]
		if s.coord == "tf_crop_and_resize" && (x < 0 || x > float64(in-1)) {
			flags[i] = true
			continue
		}
		f := math.Floor(x)
		r := x - f
		if s.mode == "nearest" {
			idx := int(f)
			if r != 0 {
				switch s.nearest {
				case "round_prefer_floor":
					if r > 0.5 {
						idx++
					}
				case "round_prefer_ceil":
					if r >= 0.5 {
						idx++
					}
				case "ceil":
					idx++
				case "floor":
				default:
					panic(fmt.Errorf("Resize: nearest_mode %q is not an ONNX mode", s.nearest))
				}
			}
			row[clamp(idx)] = 1
			continue
		}
		base := int(f)
		if r == 0 { // ONNX's reference takes the neighbours below
			base--
			r = 1
		}
		var taps []int
		var coeffs []float64
		switch s.mode {
		case "linear":
			taps, coeffs = []int{base, base + 1}, []float64{1 - r, r}
		case "cubic":
			a := s.cubicA
			taps = []int{base - 1, base, base + 1, base + 2}
			coeffs = []float64{
				((a*(r+1)-5*a)*(r+1)+8*a)*(r+1) - 4*a,
				((a+2)*r-(a+3))*r*r + 1,
				((a+2)*(1-r)-(a+3))*(1-r)*(1-r) + 1,
				((a*(2-r)-5*a)*(2-r)+8*a)*(2-r) - 4*a,
			}
		default:
			panic(fmt.Errorf("Resize: mode %q is not an ONNX mode", s.mode))
		}
		if s.excludeOutside {
			sum := 0.0
			for k, t := range taps {
				if t < 0 || t >= in {
					coeffs[k] = 0
				}
				sum += coeffs[k]
			}
			for k := range coeffs {
				coeffs[k] /= sum
			}
		}
		for k, t := range taps {
			row[clamp(t)] += float32(coeffs[k])
		}
	}
	return w, flags
}

func attrFloats(n *protos.NodeProto, name string) []float64 {
	a := attr(n, name)
	if a == nil {
		return nil
	}
	out := make([]float64, len(a.Floats))
	for i, f := range a.Floats {
		out[i] = float64(f)
	}
	return out
}

// staticFloats is staticValues for Resize's scales and roi.
func staticFloats(x *graph.Node, what string) []float64 { return staticValues[float64](x, what) }
