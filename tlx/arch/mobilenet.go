package arch

import (
	"fmt"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
)

// MobileNetV2Config configures MobileNetV2.
type MobileNetV2Config struct {
	Width   float64 // width multiplier; default 1
	Classes int
	// SmallInput makes the stem stride 1, for images of 64 pixels or less.
	SmallInput bool
}

// mobileNetStages are MobileNetV2's inverted-residual stages: expansion t,
// channels c, repeats n, first stride s.
var mobileNetStages = [7][4]int{{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}}

// MobileNetV2 builds the inverted-residual network with groups stem,
// block1..block7 (one per stage), final (the 1×1 expansion to 1280·width)
// and head. Activations are ReLU6.
func MobileNetV2(cfg MobileNetV2Config, inputShape ...int) *net.Model {
	if cfg.Width == 0 {
		cfg.Width = 1
	}
	ch := func(c int) int { return max(8, int(float64(c)*cfg.Width+4)/8*8) }
	m := net.New(fmt.Sprintf("mobilenetv2-%g", cfg.Width), inputShape...)
	m.Add("stem", func(c *nn.Ctx, x *graph.Node) *graph.Node {
		stride := 2
		if cfg.SmallInput {
			stride = 1
		}
		return nn.ReLU6(nn.BatchNorm(c.In("bn"), nn.Conv2D(c.In("conv"), x, ch(32), 3, stride)))
	})
	for i, st := range mobileNetStages {
		t, out, n, s := st[0], ch(st[1]), st[2], st[3]
		m.Add(fmt.Sprintf("block%d", i+1), func(c *nn.Ctx, x *graph.Node) *graph.Node {
			for r := range n {
				stride := 1
				if r == 0 {
					stride = s
				}
				x = invertedResidual(c.In(fmt.Sprintf("ir%d", r)), x, t, out, stride)
			}
			return x
		})
	}
	last := max(1280, ch(1280))
	m.Add("final", func(c *nn.Ctx, x *graph.Node) *graph.Node {
		return nn.ReLU6(nn.BatchNorm(c.In("bn"), nn.Conv2D(c.In("conv"), x, last, 1, 1)))
	})
	return recorded(m.Add(net.HeadName, net.Classifier(cfg.Classes)), "arch.MobileNetV2", mobileNetArgs{cfg, inputShape})
}

// invertedResidual expands channels t times (1×1), filters each channel
// (3×3 depthwise), projects down (1×1, linear) and adds the input when the
// shape allows.
func invertedResidual(c *nn.Ctx, x *graph.Node, t, out, stride int) *graph.Node {
	in := x.Shape().Dimensions[3]
	y := x
	if t != 1 {
		y = nn.ReLU6(nn.BatchNorm(c.In("expand_bn"), nn.Conv2D(c.In("expand"), y, in*t, 1, 1)))
	}
	y = nn.ReLU6(nn.BatchNorm(c.In("dw_bn"), nn.DepthwiseConv2D(c.In("dw"), y, 3, stride)))
	y = nn.BatchNorm(c.In("project_bn"), nn.Conv2D(c.In("project"), y, out, 1, 1))
	if stride == 1 && in == out {
		y = graph.Add(y, x)
	}
	return y
}
