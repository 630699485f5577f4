package arch

import (
	"fmt"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
)

// ResNetConfig configures ResNet.
type ResNetConfig struct {
	Depth   int // 18 or 34 (basic blocks); default 18
	Width   int // channels of the first stage, doubled at each later stage; default 64
	Classes int
	// SmallInput uses a 3×3 stride-1 stem without max-pooling, for images of
	// 64 pixels or less (as CIFAR ResNets do); otherwise the ImageNet stem
	// (7×7 stride 2, then 3×3 stride-2 max-pool).
	SmallInput bool
}

// ResNet builds a residual network of basic blocks with groups stem,
// layer1..layer4 and head.
func ResNet(cfg ResNetConfig, inputShape ...int) *net.Model {
	if cfg.Depth == 0 {
		cfg.Depth = 18
	}
	if cfg.Width == 0 {
		cfg.Width = 64
	}
	blocks := map[int][4]int{18: {2, 2, 2, 2}, 34: {3, 4, 6, 3}}[cfg.Depth]
	if blocks[0] == 0 {
		panic(fmt.Errorf("arch.ResNet: depth %d, want 18 or 34", cfg.Depth))
	}
	m := net.New(fmt.Sprintf("resnet%d-w%d", cfg.Depth, cfg.Width), inputShape...)
	m.Add("stem", func(c *nn.Ctx, x *graph.Node) *graph.Node {
		if cfg.SmallInput {
			return convBN(c, x, cfg.Width, 3, 1, true)
		}
		return nn.MaxPool(convBN(c, x, cfg.Width, 7, 2, true), 3, 2)
	})
	for stage := range 4 {
		filters := cfg.Width << stage
		m.Add(fmt.Sprintf("layer%d", stage+1), func(c *nn.Ctx, x *graph.Node) *graph.Node {
			for b := range blocks[stage] {
				stride := 1
				if b == 0 && stage > 0 {
					stride = 2
				}
				x = basicBlock(c.In(fmt.Sprintf("block%d", b)), x, filters, stride)
			}
			return x
		})
	}
	return recorded(m.Add(net.HeadName, net.Classifier(cfg.Classes)), "arch.ResNet", resnetArgs{cfg, inputShape})
}

// basicBlock is two 3×3 convolutions with a shortcut (a strided 1×1
// convolution when the shape changes).
func basicBlock(c *nn.Ctx, x *graph.Node, filters, stride int) *graph.Node {
	shortcut := x
	y := convBN(c.In("a"), x, filters, 3, stride, true)
	y = convBN(c.In("b"), y, filters, 3, 1, false)
	if stride != 1 || x.Shape().Dimensions[3] != filters {
		shortcut = convBN(c.In("down"), x, filters, 1, stride, false)
	}
	return nn.ReLU(graph.Add(y, shortcut))
}
