package arch

import (
	"fmt"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
)

// ResNetConfig configures ResNet.
type ResNetConfig struct {
	// Depth is 18 or 34 (basic blocks: two 3×3 convolutions) or 50, 101 or
	// 152 (bottleneck blocks: 1×1, 3×3, 1×1 with four times the channels
	// out, torchvision's "v1.5" with the stride on the 3×3); default 18.
	Depth int
	// Width is the channels of the first stage, doubled at each later stage
	// (a bottleneck block's inner width; its output is 4·Width); default 64.
	Width int
	// Blocks, when set, is the number of blocks of each stage instead of
	// the standard ones of Depth (which then only chooses basic, below 50,
	// or bottleneck blocks).
	Blocks  [4]int
	Classes int
	// SmallInput uses a 3×3 stride-1 stem without max-pooling, for images of
	// 64 pixels or less (as CIFAR ResNets do); otherwise the ImageNet stem
	// (7×7 stride 2, then 3×3 stride-2 max-pool).
	SmallInput bool
}

// resNetBlocks are the blocks per stage of each depth.
var resNetBlocks = map[int][4]int{18: {2, 2, 2, 2}, 34: {3, 4, 6, 3}, 50: {3, 4, 6, 3}, 101: {3, 4, 23, 3}, 152: {3, 8, 36, 3}}

// ResNet builds a residual network of basic (depth 18, 34) or bottleneck
// (50, 101, 152) blocks with groups stem, layer1..layer4 and head.
func ResNet(cfg ResNetConfig, inputShape ...int) *net.Model {
	if cfg.Depth == 0 {
		cfg.Depth = 18
	}
	if cfg.Width == 0 {
		cfg.Width = 64
	}
	blocks := resNetBlocks[cfg.Depth]
	if cfg.Blocks != [4]int{} {
		blocks = cfg.Blocks
	} else if blocks[0] == 0 {
		panic(fmt.Errorf("arch.ResNet: depth %d, want 18, 34, 50, 101 or 152 (or Blocks set)", cfg.Depth))
	}
	block := basicBlock
	if cfg.Depth >= 50 {
		block = bottleneck
	}
	depth, perBlock := 2, 2 // the stem and the head, then 2 or 3 convolutions a block
	if cfg.Depth >= 50 {
		perBlock = 3
	}
	for _, n := range blocks {
		depth += perBlock * n
	}
	m := net.New(fmt.Sprintf("resnet%d-w%d", depth, cfg.Width), inputShape...)
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
				x = block(c.In(fmt.Sprintf("block%d", b)), x, filters, stride)
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

// bottleneck is a 1×1 convolution to filters channels, a 3×3 one with the
// stride, a 1×1 one to 4·filters (scopes a, b, c) and a shortcut (a strided
// 1×1 convolution when the shape changes), as torchvision's Bottleneck.
func bottleneck(c *nn.Ctx, x *graph.Node, filters, stride int) *graph.Node {
	shortcut := x
	y := convBN(c.In("a"), x, filters, 1, 1, true)
	y = convBN(c.In("b"), y, filters, 3, stride, true)
	y = convBN(c.In("c"), y, 4*filters, 1, 1, false)
	if stride != 1 || x.Shape().Dimensions[3] != 4*filters {
		shortcut = convBN(c.In("down"), x, 4*filters, 1, stride, false)
	}
	return nn.ReLU(graph.Add(y, shortcut))
}
