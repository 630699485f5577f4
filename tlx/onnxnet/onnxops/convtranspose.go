package onnxops

import (
	"fmt"

	"github.com/gomlx/compute-onnx/support/protos"
	"github.com/gomlx/gomlx/core/graph"
	timage "github.com/gomlx/gomlx/core/tensors/images"
)

// convertConvTranspose is ConvTranspose as a convolution of the input
// dilated by the strides with the flipped kernel (in and out channels
// swapped, per group), padded so that the output has ONNX's size.
func convertConvTranspose(ctx Context, n *protos.NodeProto, in []*graph.Node) []*graph.Node {
	x, w := in[0], in[1]
	sp := x.Rank() - 2
	dims := x.Shape().Dimensions[2:]
	wd := w.Shape().Dimensions // [Cin, Cout/group, k...]
	group := attrInt(n, "group", 1)
	kernel := attrInts(n, "kernel_shape", wd[2:])
	strides := attrInts(n, "strides", fill(sp, 1))
	dilations := attrInts(n, "dilations", fill(sp, 1))
	outPad := attrInts(n, "output_padding", fill(sp, 0))
	pads := attrInts(n, "pads", fill(2*sp, 0))
	outShape := attrInts(n, "output_shape", nil)
	autoPad := attrString(n, "auto_pad", "NOTSET")
	begin, end := make([]int, sp), make([]int, sp)
	for i := range sp {
		span := (kernel[i]-1)*dilations[i] + 1
		full := strides[i]*(dims[i]-1) + outPad[i] + span
		switch {
		case outShape != nil || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER":
			target := dims[i] * strides[i]
			if outShape != nil {
				target = outShape[len(outShape)-sp+i]
			}
			total := full - target
			if autoPad == "SAME_UPPER" {
				begin[i], end[i] = total/2, total-total/2
			} else {
				begin[i], end[i] = total-total/2, total/2
			}
		case autoPad == "VALID":
		default:
			begin[i], end[i] = pads[i], pads[sp+i]
		}
	}
	// Kernel for the equivalent convolution: [Cout, Cin/group, k...], flipped.
	cin, coutPerGroup := wd[0], wd[1]
	k := graph.Reshape(w, append([]int{group, cin / group, coutPerGroup}, wd[2:]...)...)
	perm := []int{0, 2, 1}
	for a := range sp {
		perm = append(perm, 3+a)
	}
	k = graph.TransposeAllDims(k, perm...)
	k = graph.Reshape(k, append([]int{group * coutPerGroup, cin / group}, wd[2:]...)...)
	spatial := make([]int, sp)
	for a := range sp {
		spatial[a] = 2 + a
	}
	k = graph.Reverse(k, spatial...)
	paddings := make([][2]int, sp)
	for i := range sp {
		span := (kernel[i]-1)*dilations[i] + 1
		paddings[i] = [2]int{span - 1 - begin[i], span - 1 - end[i] + outPad[i]}
		if paddings[i][0] < 0 || paddings[i][1] < 0 {
			panic(fmt.Errorf("ConvTranspose %q: pads %v larger than the kernel span are not supported by tlx", n.Name, pads))
		}
	}
	y := graph.Convolve(x, k).ChannelsAxis(timage.ChannelsFirst).InputDilationPerAxis(strides...).
		DilationPerAxis(dilations...).PaddingPerDim(paddings).ChannelGroupCount(group).Done()
	if len(in) > 2 && in[2] != nil {
		y = graph.Add(y, channelShape(in[2], y))
	}
	return []*graph.Node{y}
}
