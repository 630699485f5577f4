package arch

import (
	"fmt"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
)

// ConvNeXtConfig configures ConvNeXt; the zero value is ConvNeXt-Tiny.
type ConvNeXtConfig struct {
	Depths  [4]int // blocks per stage; default {3, 3, 9, 3}
	Dims    [4]int // channels per stage; default {96, 192, 384, 768}
	Classes int
}

// ConvNeXtEpsilon is the LayerNorm epsilon of torchvision's and timm's
// ConvNeXt.
const ConvNeXtEpsilon = 1e-6

// ConvNeXt builds torchvision's (and timm's) ConvNeXt with groups stem (a
// 4×4 stride-4 convolution and LayerNorm), stage1..stage4 (stages 2–4 open
// with a LayerNorm and a 2×2 stride-2 convolution; each block is a 7×7
// depthwise convolution, LayerNorm, Linear to 4× the channels, GELU,
// Linear back, times a per-channel layer scale, added to its input), norm
// (global average pooling and LayerNorm: the embedding) and head.
// Stochastic depth is left out: tlx trains it as torchvision evaluates it.
// Input sides must be divisible by 32.
func ConvNeXt(cfg ConvNeXtConfig, inputShape ...int) *net.Model {
	if cfg.Depths == [4]int{} {
		cfg.Depths = [4]int{3, 3, 9, 3}
	}
	if cfg.Dims == [4]int{} {
		cfg.Dims = [4]int{96, 192, 384, 768}
	}
	if len(inputShape) != 3 || inputShape[0]%32 != 0 || inputShape[1]%32 != 0 {
		panic(fmt.Errorf("arch.ConvNeXt: input shape %v, want [height, width, channels] with sides divisible by 32", inputShape))
	}
	m := net.New(fmt.Sprintf("convnext-%d", cfg.Dims[0]), inputShape...)
	m.Add("stem", func(c *nn.Ctx, x *graph.Node) *graph.Node {
		return LayerNorm(c.In("norm"), PatchConv(c.In("conv"), x, cfg.Dims[0], 4), ConvNeXtEpsilon)
	})
	for s := range 4 {
		m.Add(fmt.Sprintf("stage%d", s+1), func(c *nn.Ctx, x *graph.Node) *graph.Node {
			if s > 0 {
				x = PatchConv(c.In("down"), LayerNorm(c.In("down_norm"), x, ConvNeXtEpsilon), cfg.Dims[s], 2)
			}
			for b := range cfg.Depths[s] {
				x = convNeXtBlock(c.In(fmt.Sprintf("block%d", b)), x)
			}
			return x
		})
	}
	m.Add("norm", func(c *nn.Ctx, x *graph.Node) *graph.Node {
		return LayerNorm(c, nn.GlobalAvgPool(x), ConvNeXtEpsilon)
	})
	return recorded(m.Add(net.HeadName, net.Classifier(cfg.Classes)), "arch.ConvNeXt", convNeXtArgs{cfg, inputShape})
}

// convNeXtBlock is x + layer_scale · fc2(GELU(fc1(norm(dw(x))))).
func convNeXtBlock(c *nn.Ctx, x *graph.Node) *graph.Node {
	ch := x.Shape().Dimensions[3]
	dw := c.In("dw")
	y := nn.Bias(dw, nn.DepthwiseConv2D(dw, x, 7, 1))
	y = LayerNorm(c.In("norm"), y, ConvNeXtEpsilon)
	y = activation.Gelu(Linear(c.In("fc1"), y, 4*ch))
	y = Linear(c.In("fc2"), y, ch)
	scale := c.Scope.WithInitializer(func(g *graph.Graph, s shapes.Shape) *graph.Node {
		return graph.BroadcastToDims(graph.Scalar(g, s.DType, 1e-6), s.Dimensions...) // torchvision's and timm's initial layer scale
	}).VariableWithShape("layer_scale", shapes.Make(x.DType(), ch)).NodeValue(x.Graph())
	return graph.Add(x, graph.Mul(y, graph.ExpandLeftToRank(scale, y.Rank())))
}

// PatchConv is a p×p convolution with stride p (non-overlapping patches,
// as ViT's and ConvNeXt's patch embeddings and ConvNeXt's downsampling):
// x [B,H,W,C] → [B,H/p,W/p,filters], "weights" [p,p,C,filters] (a
// convolution's HWIO kernel, He-initialised) and "bias".
func PatchConv(c *nn.Ctx, x *graph.Node, filters, p int) *graph.Node {
	d := x.Shape().Dimensions
	b, gh, gw, ch := d[0], d[1]/p, d[2]/p, d[3]
	if d[1]%p != 0 || d[2]%p != 0 {
		panic(fmt.Errorf("arch.PatchConv %s: input %v is not divisible into %d×%d patches", c.Scope.Scope(), d, p, p))
	}
	patches := graph.Reshape(x, b, gh, p, gw, p, ch)
	patches = graph.TransposeAllDims(patches, 0, 1, 3, 2, 4, 5) // [B,gh,gw,p,p,C]
	patches = graph.Reshape(patches, b*gh*gw, p*p*ch)
	w := c.Scope.WithInitializer(initializer.HeFn(c.Scope)).VariableWithShape("weights", shapes.Make(x.DType(), p, p, ch, filters)).NodeValue(x.Graph())
	y := nn.Bias(c, graph.MatMul(patches, graph.Reshape(w, p*p*ch, filters)))
	return graph.Reshape(y, b, gh, gw, filters)
}
