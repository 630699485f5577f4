package tfjs

import (
	"regexp"
	"slices"

	"github.com/tlx-go/tlx/tlx/graphcut"
)

// Keras applications name their layers by block (MobileNetV2's
// "block_3_expand_BN", InceptionV3's "mixed5" concatenation). A model
// named that way is grouped by block, the unit one freezes, instead of
// by Keras layer:
//
//   - MobileNetV2: "stem" (Conv1 with its padding, BatchNorm and ReLU),
//     "block_0" (expanded_conv_*) ... "block_16", "Conv_1" (the last 1×1
//     convolution with its BatchNorm and out_relu);
//   - InceptionV3: "stem" (everything before the first mixed block), then
//     "mixed0" ... "mixed10", each with its branches;
//   - after the last block: "pool" (the pooling and flattening before the
//     first Dense layer) and "head" (the Dense layers and their dropouts).
var (
	kerasBlockRe = regexp.MustCompile(`^(block_\d+)(_|$)`)
	kerasMixedRe = regexp.MustCompile(`(^|\.\.)(mixed\d+)$`)
	kerasNamed   = map[string]string{
		"Conv1_pad": "stem", "Conv1": "stem", "bn_Conv1": "stem", "Conv1_relu": "stem",
		"Conv_1": "Conv_1", "Conv_1_bn": "Conv_1", "out_relu": "Conv_1",
	}
	kerasExpandedRe = regexp.MustCompile(`^expanded_conv(_|$)`)
)

// kerasBlock returns the block a first-cut group belongs to, or "".
func kerasBlock(name string) string {
	if b, ok := kerasNamed[name]; ok {
		return b
	}
	if m := kerasBlockRe.FindStringSubmatch(name); m != nil {
		return m[1]
	}
	if m := kerasMixedRe.FindStringSubmatch(name); m != nil {
		return m[2]
	}
	if kerasExpandedRe.MatchString(name) {
		return "block_0"
	}
	return ""
}

// kerasKeys returns, for a model whose first cut (one group per layer or
// residual block) follows Keras applications' naming, each layer's block;
// nil when the names are not Keras applications' (the model keeps its
// per-layer groups).
func kerasKeys(cut []graphcut.Group, cg graphcut.Graph, byName map[string]*layerConfig) map[string]string {
	blocks := make([]string, len(cut))
	first, last := -1, -1
	for i, g := range cut {
		if blocks[i] = kerasBlock(g.Name); blocks[i] != "" {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 || !slices.Contains(blocks, "stem") && !slices.ContainsFunc(blocks, kerasMixedRe.MatchString) {
		return nil
	}
	for i := range first {
		blocks[i] = "stem"
	}
	dense := -1
	for i := last + 1; i < len(cut) && dense < 0; i++ {
		for _, ni := range cut[i].Nodes {
			if byName[cg.Nodes[ni].Key].ClassName == "Dense" {
				dense = i
			}
		}
	}
	if dense > 0 {
		for i := last + 1; i < len(cut); i++ {
			blocks[i] = "pool"
			if i >= dense {
				blocks[i] = "head"
			}
		}
	}
	keys := map[string]string{}
	for i, g := range cut {
		for _, ni := range g.Nodes {
			if blocks[i] != "" {
				keys[cg.Nodes[ni].Key] = blocks[i]
			}
		}
	}
	return keys
}
