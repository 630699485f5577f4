package text

import (
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/tlx-go/tlx/tlx/nn"
)

// The BERT encoder as tlx groups, written on tlx/nn rather than with
// go-huggingface's models/transformer: that one builds the whole stack in
// one call on GoMLX's zoo transformer (one scope, all layers at once),
// while a tlx model is a list of groups, each a function from one tensor
// to the next, whose variables live under the group's name so that
// freezing, per-group learning rates and the feature cache work on them.
//
// Between groups the hidden states travel as [batch, seq, hidden+1]: the
// last channel is the attention mask (1 for a token, 0 for padding), which
// the embeddings group derives from the ids (id != pad) and every later
// group splits off, uses and passes on. So a model of one input stays one
// input everywhere (fit, the feature cache, export), and a cached
// intermediate output still knows which tokens are padding.

// withMask appends the mask ([B, S] or [B, S, 1]) as the last channel of
// h [B, S, H].
func withMask(h, mask *graph.Node) *graph.Node {
	if mask.Rank() == 2 {
		mask = graph.ExpandAxes(mask, -1)
	}
	return graph.Concatenate([]*graph.Node{h, mask}, -1)
}

// splitMask undoes withMask: h [B, S, H] and mask [B, S, 1].
func splitMask(x *graph.Node) (h, mask *graph.Node) {
	hidden := x.Shape().Dimensions[2] - 1
	return graph.SliceAxis(x, 2, graph.AxisRange(0, hidden)), graph.SliceAxis(x, 2, graph.AxisRange(hidden, hidden+1))
}

// layerNorm normalises the last axis, then scales by "gamma" and shifts by
// "beta" (PyTorch's LayerNorm: biased variance, eps inside the root).
func layerNorm(c *nn.Ctx, x *graph.Node, eps float64) *graph.Node {
	g := x.Graph()
	n := x.Shape().Dimensions[x.Rank()-1]
	shape := shapes.Make(x.DType(), n)
	gamma := c.Scope.WithInitializer(initializer.One).VariableWithShape("gamma", shape).NodeValue(g)
	beta := c.Scope.WithInitializer(initializer.Zero).VariableWithShape("beta", shape).NodeValue(g)
	last := x.Rank() - 1
	mean := graph.ReduceAndKeep(x, graph.ReduceMean, last)
	d := graph.Sub(x, mean)
	variance := graph.ReduceAndKeep(graph.Square(d), graph.ReduceMean, last)
	y := graph.Div(d, graph.Sqrt(graph.AddScalar(variance, eps)))
	return graph.Add(graph.Mul(y, graph.ExpandLeftToRank(gamma, x.Rank())), graph.ExpandLeftToRank(beta, x.Rank()))
}

// gelu is BERT's exact GELU, x·Φ(x) = x/2·(1 + erf(x/√2)).
func gelu(x *graph.Node) *graph.Node {
	return graph.Mul(graph.MulScalar(x, 0.5), graph.OnePlus(graph.Erf(graph.MulScalar(x, 1/math.Sqrt2))))
}

// table is an embedding table variable [rows, dim] initialised N(0, 0.02)
// as BERT's.
func table(c *nn.Ctx, name string, rows, dim int, like *graph.Node) *graph.Node {
	s := c.Scope.In("%s", name).WithInitializer(initializer.RandomNormalFn(c.Scope, 0.02))
	return s.VariableWithShape("table", shapes.Make(like.DType(), rows, dim)).NodeValue(like.Graph())
}

// embeddings is the first group: ids [B, S] (float32) → word + position +
// token-type-0 embeddings, LayerNorm, dropout, with the mask appended.
func (b *bert) embeddings(c *nn.Ctx, x *graph.Node) *graph.Node {
	cfg := b.cfg
	seq := x.Shape().Dimensions[1]
	mask := graph.ConvertDType(graph.NotEqual(x, graph.Scalar(x.Graph(), x.DType(), float64(b.padID))), x.DType())
	ids := graph.ConvertDType(x, dtypes.Int32)
	word := graph.Gather(table(c, "word", cfg.VocabSize, cfg.HiddenSize, x), graph.ExpandAxes(ids, -1))
	pos := graph.SliceAxis(table(c, "position", cfg.MaxPositions, cfg.HiddenSize, x), 0, graph.AxisRange(0, seq))
	typ := graph.SliceAxis(table(c, "token_type", cfg.TypeVocabSize, cfg.HiddenSize, x), 0, graph.AxisRange(0, 1))
	h := graph.Add(word, graph.ExpandLeftToRank(graph.Add(pos, typ), 3))
	h = nn.Dropout(c, layerNorm(c.In("norm"), h, cfg.LayerNormEps), b.dropout(cfg.HiddenDropout))
	return withMask(h, mask)
}

// layer is one encoder layer: self-attention and a feed-forward block,
// each with a residual connection and LayerNorm after it (BERT's post-LN).
func (b *bert) layer(c *nn.Ctx, x *graph.Node) *graph.Node {
	cfg := b.cfg
	h, mask := splitMask(x)
	dims := h.Shape().Dimensions
	batch, seq, hidden := dims[0], dims[1], dims[2]
	heads, headDim := cfg.Heads, cfg.HiddenSize/cfg.Heads

	att := c.In("attention")
	split := func(name string) *graph.Node { // [B, S, heads, headDim]
		return graph.Reshape(dense(att.In(name), h, hidden), batch, seq, heads, headDim)
	}
	q, k, v := split("query"), split("key"), split("value")
	scores := graph.MulScalar(graph.Einsum("bqhd,bkhd->bhqk", q, k), 1/math.Sqrt(float64(headDim)))
	// Padding keys get a large negative score: exp gives 0 for them, as
	// HF's additive mask (1 - mask)·min(float32) does.
	keyMask := graph.Reshape(mask, batch, 1, 1, seq)
	scores = graph.Add(scores, graph.MulScalar(graph.OneMinus(keyMask), -1e9))
	probs := nn.Dropout(c, graph.Softmax(scores, -1), b.dropout(cfg.AttentionDropout))
	ctx := graph.Reshape(graph.Einsum("bhqk,bkhd->bqhd", probs, v), batch, seq, hidden)
	out := nn.Dropout(c, dense(att.In("output"), ctx, hidden), b.dropout(cfg.HiddenDropout))
	h = layerNorm(att.In("norm"), graph.Add(out, h), cfg.LayerNormEps)

	ffn := c.In("ffn")
	inner := gelu(dense(ffn.In("in"), h, cfg.IntermediateSize))
	out = nn.Dropout(c, dense(ffn.In("out"), inner, hidden), b.dropout(cfg.HiddenDropout))
	h = layerNorm(ffn.In("norm"), graph.Add(out, h), cfg.LayerNormEps)
	return withMask(h, mask)
}

// pooling is sentence-transformers' mean pooling over the tokens (padding
// left out; the count clamped at 1e-9 as there) followed by its Normalize
// module (L2, norm clamped at 1e-12 as torch's F.normalize): [B, hidden].
func (b *bert) pooling(_ *nn.Ctx, x *graph.Node) *graph.Node {
	h, mask := splitMask(x)
	sum := graph.ReduceSum(graph.Mul(h, mask), 1)
	count := graph.MaxScalar(graph.ReduceSum(mask, 1), 1e-9)
	mean := graph.Div(sum, count)
	if !b.normalize {
		return mean
	}
	norm := graph.MaxScalar(graph.Sqrt(graph.ReduceAndKeep(graph.Square(mean), graph.ReduceSum, -1)), 1e-12)
	return graph.Div(mean, norm)
}

// identity is the head of an encoder without classes: the model's output
// is the sentence embedding until ReplaceHead puts a classifier there.
func identity(_ *nn.Ctx, x *graph.Node) *graph.Node { return x }

// dense is nn.Dense on the last axis of x of any rank ("weights" [in,
// out], "bias").
func dense(c *nn.Ctx, x *graph.Node, units int) *graph.Node {
	dims := x.Shape().Dimensions
	in := dims[len(dims)-1]
	y := nn.Dense(c, graph.Reshape(x, -1, in), units)
	return graph.Reshape(y, append(dims[:len(dims)-1:len(dims)-1], units)...)
}
