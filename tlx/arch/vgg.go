package arch

import (
	"fmt"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
)

// VGGConfig configures VGG.
type VGGConfig struct {
	Depth     int  // 11, 13, 16 or 19 convolutions + 3 dense layers; default 16
	BatchNorm bool // BatchNorm after each convolution (torchvision's vggNN_bn)
	// Hidden is the width of the two hidden dense layers; default 4096.
	Hidden  int
	Classes int
	// NoDropout leaves out the dropout (rate 0.5) after each hidden dense
	// layer while training.
	NoDropout bool
}

// vggLayers are the filters of each convolution of each block (torchvision's
// configurations A, B, D and E); each block ends with a 2×2 max-pool.
var vggLayers = map[int][5][]int{
	11: {{64}, {128}, {256, 256}, {512, 512}, {512, 512}},
	13: {{64, 64}, {128, 128}, {256, 256}, {512, 512}, {512, 512}},
	16: {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}},
	19: {{64, 64}, {128, 128}, {256, 256, 256, 256}, {512, 512, 512, 512}, {512, 512, 512, 512}},
}

// vggPool is the side of the feature map VGG's classifier reads
// (torchvision's AdaptiveAvgPool2d((7, 7))).
const vggPool = 7

// VGG builds torchvision's VGG with groups block1..block5 (3×3
// convolutions with bias, ReLU, each block ending in a 2×2 max-pool),
// classifier (adaptive average pooling to 7×7, two dense layers of Hidden
// units with ReLU and dropout) and head. Inputs need sides divisible by 32
// (224 gives the 7×7 map the classifier was made for; smaller maps are
// pooled up to 7×7 as torchvision does).
func VGG(cfg VGGConfig, inputShape ...int) *net.Model {
	if cfg.Depth == 0 {
		cfg.Depth = 16
	}
	if cfg.Hidden == 0 {
		cfg.Hidden = 4096
	}
	blocks, ok := vggLayers[cfg.Depth]
	if !ok {
		panic(fmt.Errorf("arch.VGG: depth %d, want 11, 13, 16 or 19", cfg.Depth))
	}
	if len(inputShape) != 3 || inputShape[0]%32 != 0 || inputShape[1]%32 != 0 {
		panic(fmt.Errorf("arch.VGG: input shape %v, want [height, width, channels] with sides divisible by 32", inputShape))
	}
	name := fmt.Sprintf("vgg%d", cfg.Depth)
	if cfg.BatchNorm {
		name += "-bn"
	}
	m := net.New(name, inputShape...)
	for b, filters := range blocks {
		m.Add(fmt.Sprintf("block%d", b+1), func(c *nn.Ctx, x *graph.Node) *graph.Node {
			for i, f := range filters {
				conv := c.In(fmt.Sprintf("conv%d", i))
				x = nn.Conv2D(conv, x, f, 3, 1)
				if cfg.BatchNorm {
					x = nn.BatchNorm(c.In(fmt.Sprintf("bn%d", i)), x)
				} else {
					x = nn.Bias(conv, x)
				}
				x = nn.ReLU(x)
			}
			return nn.MaxPool(x, 2, 2)
		})
	}
	m.Add("classifier", func(c *nn.Ctx, x *graph.Node) *graph.Node {
		x = AdaptiveAvgPool(x, vggPool, vggPool)
		x = nn.ReLU(flatDense(c.In("fc1"), x, cfg.Hidden))
		if !cfg.NoDropout {
			x = nn.Dropout(c, x, 0.5)
		}
		x = nn.ReLU(nn.Dense(c.In("fc2"), x, cfg.Hidden))
		if !cfg.NoDropout {
			x = nn.Dropout(c, x, 0.5)
		}
		return x
	})
	return recorded(m.Add(net.HeadName, net.Classifier(cfg.Classes)), "arch.VGG", vggArgs{cfg, inputShape})
}

// flatDense is a dense layer over a whole feature map x [B,H,W,C] whose
// "weights" keep the map's shape, [H,W,C,units] (He-initialised), with a
// "bias": PyTorch's Linear over a flattened NCHW map and timm's H×W
// convolution both load into it (see LoadMappedFile).
func flatDense(c *nn.Ctx, x *graph.Node, units int) *graph.Node {
	d := x.Shape().Dimensions
	w := c.Scope.WithInitializer(initializer.HeFn(c.Scope)).VariableWithShape("weights", shapes.Make(x.DType(), d[1], d[2], d[3], units)).NodeValue(x.Graph())
	y := graph.MatMul(nn.Flatten(x), graph.Reshape(w, d[1]*d[2]*d[3], units))
	return nn.Bias(c, y)
}

// AdaptiveAvgPool averages x [B,H,W,C] into [B,outH,outW,C] as PyTorch's
// AdaptiveAvgPool2d does: output cell i covers input rows
// floor(i·H/outH) to ceil((i+1)·H/outH), so a smaller map is spread over
// overlapping (or repeated) cells and a map of the output's size is kept.
func AdaptiveAvgPool(x *graph.Node, outH, outW int) *graph.Node {
	return adaptiveAxis(adaptiveAxis(x, 1, outH), 2, outW)
}

// adaptiveAxis is AdaptiveAvgPool along one axis.
func adaptiveAxis(x *graph.Node, axis, out int) *graph.Node {
	n := x.Shape().Dimensions[axis]
	if n == out {
		return x
	}
	if n%out == 0 { // equal windows: a reshape and a mean
		d := x.Shape().Dimensions
		shape := append(append(append([]int(nil), d[:axis]...), out, n/out), d[axis+1:]...)
		return graph.ReduceMean(graph.Reshape(x, shape...), axis+1)
	}
	cells := make([]*graph.Node, out)
	for i := range out {
		start, end := i*n/out, ((i+1)*n+out-1)/out
		ranges := make([]graph.SliceAxisSpec, x.Rank())
		for a := range ranges {
			ranges[a] = graph.AxisRange()
		}
		ranges[axis] = graph.AxisRange(start, end)
		cells[i] = graph.ReduceAndKeep(graph.Slice(x, ranges...), graph.ReduceMean, axis)
	}
	return graph.Concatenate(cells, axis)
}
