package arch

import (
	"fmt"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
)

// EfficientNetConfig configures EfficientNet-B0 (the only size built:
// width and depth multipliers 1).
type EfficientNetConfig struct {
	Classes int
	// NoDropout leaves out the dropout (rate 0.2) before the head while
	// training.
	NoDropout bool
}

// efficientNetStages are EfficientNet-B0's MBConv stages: expansion t,
// kernel k, first stride s, output channels c, repeats n.
var efficientNetStages = [7][5]int{{1, 3, 1, 16, 1}, {6, 3, 2, 24, 2}, {6, 5, 2, 40, 2}, {6, 3, 2, 80, 3}, {6, 5, 1, 112, 3}, {6, 5, 2, 192, 4}, {6, 3, 1, 320, 1}}

// EfficientNetB0 builds torchvision's (and timm's) EfficientNet-B0 with
// groups stem (3×3 stride-2 convolution to 32 channels, BatchNorm, SiLU),
// block1..block7 (one per stage of MBConv blocks: 1×1 expansion, k×k
// depthwise convolution, squeeze-and-excitation to a quarter of the
// block's input channels, 1×1 projection, the input added when the shape
// allows), final (1×1 convolution to 1280, BatchNorm, SiLU) and head
// (global average pooling, dropout 0.2, dense). Stochastic depth is left
// out: tlx trains it as torchvision evaluates it.
func EfficientNetB0(cfg EfficientNetConfig, inputShape ...int) *net.Model {
	m := net.New("efficientnet-b0", inputShape...)
	m.Add("stem", func(c *nn.Ctx, x *graph.Node) *graph.Node {
		return silu(nn.BatchNorm(c.In("bn"), nn.Conv2D(c.In("conv"), x, 32, 3, 2)))
	})
	for i, st := range efficientNetStages {
		t, k, s, out, n := st[0], st[1], st[2], st[3], st[4]
		m.Add(fmt.Sprintf("block%d", i+1), func(c *nn.Ctx, x *graph.Node) *graph.Node {
			for r := range n {
				stride := 1
				if r == 0 {
					stride = s
				}
				x = mbConv(c.In(fmt.Sprintf("mb%d", r)), x, t, k, stride, out)
			}
			return x
		})
	}
	m.Add("final", func(c *nn.Ctx, x *graph.Node) *graph.Node {
		return silu(nn.BatchNorm(c.In("bn"), nn.Conv2D(c.In("conv"), x, 1280, 1, 1)))
	})
	classifier := net.Classifier(cfg.Classes)
	m.Add(net.HeadName, func(c *nn.Ctx, x *graph.Node) *graph.Node {
		x = nn.GlobalAvgPool(x)
		if !cfg.NoDropout {
			x = nn.Dropout(c, x, 0.2)
		}
		return classifier(c, x)
	})
	return recorded(m, "arch.EfficientNetB0", efficientNetArgs{cfg, inputShape})
}

// mbConv is EfficientNet's inverted residual with squeeze-and-excitation.
func mbConv(c *nn.Ctx, x *graph.Node, t, k, stride, out int) *graph.Node {
	in := x.Shape().Dimensions[3]
	y := x
	if t != 1 {
		y = silu(nn.BatchNorm(c.In("expand_bn"), nn.Conv2D(c.In("expand"), y, in*t, 1, 1)))
	}
	y = silu(nn.BatchNorm(c.In("dw_bn"), nn.DepthwiseConv2D(c.In("dw"), y, k, stride)))
	y = squeezeExcite(c.In("se"), y, max(1, in/4))
	y = nn.BatchNorm(c.In("project_bn"), nn.Conv2D(c.In("project"), y, out, 1, 1))
	if stride == 1 && in == out {
		y = graph.Add(y, x)
	}
	return y
}

// squeezeExcite scales each channel of x [B,H,W,C] by
// sigmoid(fc2(SiLU(fc1(mean over H, W)))), fc1 to squeeze channels.
func squeezeExcite(c *nn.Ctx, x *graph.Node, squeeze int) *graph.Node {
	d := x.Shape().Dimensions
	s := silu(nn.Dense(c.In("fc1"), nn.GlobalAvgPool(x), squeeze))
	s = graph.Sigmoid(nn.Dense(c.In("fc2"), s, d[3]))
	return graph.Mul(x, graph.Reshape(s, d[0], 1, 1, d[3]))
}

// silu is x·sigmoid(x) (swish).
func silu(x *graph.Node) *graph.Node { return graph.Mul(x, graph.Sigmoid(x)) }
