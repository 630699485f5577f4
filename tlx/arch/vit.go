package arch

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
)

// ViTConfig configures ViT. The zero value (and ViTTiny) is ViT-Tiny /
// DeiT-Tiny: patch 16, width 192, 12 blocks of 3 heads, MLP 768.
type ViTConfig struct {
	Patch   int // patch side; default 16
	Dim     int // token width; default 192
	Depth   int // transformer blocks; default 12
	Heads   int // attention heads; default 3
	MLP     int // hidden units of each block's MLP; default 4·Dim
	Classes int
}

// ViTTiny is ViT-Tiny's (and DeiT-Tiny's) configuration without classes.
var ViTTiny = ViTConfig{Patch: 16, Dim: 192, Depth: 12, Heads: 3, MLP: 768}

// ViTEpsilon is the LayerNorm epsilon of timm's and torchvision's vision
// transformers.
const ViTEpsilon = 1e-6

func (cfg ViTConfig) withDefaults() ViTConfig {
	if cfg.Patch == 0 {
		cfg.Patch = 16
	}
	if cfg.Dim == 0 {
		cfg.Dim = 192
	}
	if cfg.Depth == 0 {
		cfg.Depth = 12
	}
	if cfg.Heads == 0 {
		cfg.Heads = 3
	}
	if cfg.MLP == 0 {
		cfg.MLP = 4 * cfg.Dim
	}
	return cfg
}

// ViT builds a vision transformer (pre-norm blocks, a class token, learned
// position embeddings, exact GELU) with groups patch_embed (the patches'
// linear projection, the class token and the position embeddings), block0
// .. block{Depth-1} (as timm's blocks.N), norm (the final LayerNorm,
// keeping the class token: the embedding) and head. The input's sides must
// be multiples of Patch; the number of position embeddings follows from
// them ((H/Patch)·(W/Patch) + 1), so weights load only at the size they
// were trained for (224 for ViT-Tiny).
func ViT(cfg ViTConfig, inputShape ...int) *net.Model {
	cfg = cfg.withDefaults()
	if len(inputShape) != 3 || inputShape[0]%cfg.Patch != 0 || inputShape[1]%cfg.Patch != 0 {
		panic(fmt.Errorf("arch.ViT: input shape %v, want [height, width, channels] with sides divisible by the patch %d", inputShape, cfg.Patch))
	}
	if cfg.Dim%cfg.Heads != 0 {
		panic(fmt.Errorf("arch.ViT: width %d is not divisible by %d heads", cfg.Dim, cfg.Heads))
	}
	m := net.New(fmt.Sprintf("vit-p%d-d%d-l%d", cfg.Patch, cfg.Dim, cfg.Depth), inputShape...)
	m.Add("patch_embed", func(c *nn.Ctx, x *graph.Node) *graph.Node { return patchEmbed(c, x, cfg) })
	for i := range cfg.Depth {
		m.Add(fmt.Sprintf("block%d", i), func(c *nn.Ctx, x *graph.Node) *graph.Node { return vitBlock(c, x, cfg) })
	}
	m.Add("norm", func(c *nn.Ctx, x *graph.Node) *graph.Node {
		x = LayerNorm(c, x, ViTEpsilon)
		return graph.Reshape(graph.Slice(x, graph.AxisRange(), graph.AxisElem(0), graph.AxisRange()), x.Shape().Dimensions[0], cfg.Dim)
	})
	return recorded(m.Add(net.HeadName, net.Classifier(cfg.Classes)), "arch.ViT", vitArgs{cfg, inputShape})
}

// patchEmbed cuts x [B,H,W,C] into Patch×Patch patches, projects each to
// Dim ("proj": weights [P,P,C,Dim] as a convolution's HWIO kernel, bias),
// prepends "cls_token" [1,1,Dim] and adds "pos_embed" [1,N+1,Dim].
func patchEmbed(c *nn.Ctx, x *graph.Node, cfg ViTConfig) *graph.Node {
	d := x.Shape().Dimensions
	b, n := d[0], (d[1]/cfg.Patch)*(d[2]/cfg.Patch)
	tokens := graph.Reshape(PatchConv(c.In("proj"), x, cfg.Dim, cfg.Patch), b, n, cfg.Dim)
	normal := c.Scope.WithInitializer(initializer.RandomNormalFn(c.Scope, 0.02))
	cls := normal.VariableWithShape("cls_token", shapes.Make(x.DType(), 1, 1, cfg.Dim)).NodeValue(x.Graph())
	pos := normal.VariableWithShape("pos_embed", shapes.Make(x.DType(), 1, n+1, cfg.Dim)).NodeValue(x.Graph())
	tokens = graph.Concatenate([]*graph.Node{graph.BroadcastToDims(cls, b, 1, cfg.Dim), tokens}, 1)
	return graph.Add(tokens, pos)
}

// vitBlock is x + attn(norm1(x)), then x + mlp(norm2(x)).
func vitBlock(c *nn.Ctx, x *graph.Node, cfg ViTConfig) *graph.Node {
	x = graph.Add(x, Attention(c.In("attn"), LayerNorm(c.In("norm1"), x, ViTEpsilon), cfg.Heads))
	h := LayerNorm(c.In("norm2"), x, ViTEpsilon)
	h = activation.Gelu(Linear(c.In("mlp").In("fc1"), h, cfg.MLP))
	return graph.Add(x, Linear(c.In("mlp").In("fc2"), h, cfg.Dim))
}

// Attention is multi-head self-attention over x [B,N,D]: "qkv" (a Linear
// to 3·D: queries, keys, values, each split into heads of D/heads, the
// layout of timm's qkv and PyTorch's in_proj), softmax(q·kᵀ/√(D/heads))·v,
// and the output projection "proj".
func Attention(c *nn.Ctx, x *graph.Node, heads int) *graph.Node {
	d := x.Shape().Dimensions
	b, n, dim := d[0], d[1], d[2]
	hd := dim / heads
	qkv := graph.Reshape(Linear(c.In("qkv"), x, 3*dim), b, n, 3, heads, hd)
	part := func(i int) *graph.Node {
		return graph.Reshape(graph.Slice(qkv, graph.AxisRange(), graph.AxisRange(), graph.AxisElem(i), graph.AxisRange(), graph.AxisRange()), b, n, heads, hd)
	}
	q, k, v := part(0), part(1), part(2)
	scores := graph.MulScalar(graph.Einsum("bqhd,bkhd->bhqk", q, k), 1/math.Sqrt(float64(hd)))
	attn := graph.Softmax(scores, -1)
	out := graph.Einsum("bhqk,bkhd->bqhd", attn, v)
	return Linear(c.In("proj"), graph.Reshape(out, b, n, dim), dim)
}

// Linear is nn.Dense over the last axis of x of any rank ("weights"
// [in, units], "bias").
func Linear(c *nn.Ctx, x *graph.Node, units int) *graph.Node {
	d := x.Shape().Dimensions
	if x.Rank() == 2 {
		return nn.Dense(c, x, units)
	}
	y := nn.Dense(c, graph.Reshape(x, -1, d[len(d)-1]), units)
	return graph.Reshape(y, append(append([]int(nil), d[:len(d)-1]...), units)...)
}

// LayerNorm normalises x over its last axis (biased variance, eps added),
// then scales by "gamma" (initially 1) and shifts by "beta" (0).
func LayerNorm(c *nn.Ctx, x *graph.Node, eps float64) *graph.Node {
	g := x.Graph()
	shape := shapes.Make(x.DType(), x.Shape().Dimensions[x.Rank()-1])
	gamma := c.Scope.WithInitializer(initializer.One).VariableWithShape("gamma", shape).NodeValue(g)
	beta := c.Scope.WithInitializer(initializer.Zero).VariableWithShape("beta", shape).NodeValue(g)
	mean := graph.ReduceAndKeep(x, graph.ReduceMean, -1)
	centred := graph.Sub(x, mean)
	variance := graph.ReduceAndKeep(graph.Square(centred), graph.ReduceMean, -1)
	// 1/sqrt, not Rsqrt: GoMLX defines no gradient for Rsqrt.
	y := graph.Mul(centred, graph.Reciprocal(graph.Sqrt(graph.AddScalar(variance, eps))))
	return graph.Add(graph.Mul(y, graph.ExpandLeftToRank(gamma, x.Rank())), graph.ExpandLeftToRank(beta, x.Rank()))
}
