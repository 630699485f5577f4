package arch

import (
	"fmt"
	"math"
	"regexp"

	"github.com/tlx-go/tlx/tlx/net"
)

// vitNames map timm's (vit_*, deit_*) and torchvision's (vit_b_16, ...)
// vision transformer parameter names to ViT's variables.
var vitNames = []struct {
	re   *regexp.Regexp
	path string
}{
	// timm
	{regexp.MustCompile(`^cls_token$`), "patch_embed/cls_token"},
	{regexp.MustCompile(`^pos_embed$`), "patch_embed/pos_embed"},
	{regexp.MustCompile(`^patch_embed\.proj\.weight$`), "patch_embed/proj/weights"},
	{regexp.MustCompile(`^patch_embed\.proj\.bias$`), "patch_embed/proj/bias"},
	{regexp.MustCompile(`^blocks\.(\d+)\.norm([12])\.weight$`), "block$1/norm$2/gamma"},
	{regexp.MustCompile(`^blocks\.(\d+)\.norm([12])\.bias$`), "block$1/norm$2/beta"},
	{regexp.MustCompile(`^blocks\.(\d+)\.attn\.(qkv|proj)\.weight$`), "block$1/attn/$2/weights"},
	{regexp.MustCompile(`^blocks\.(\d+)\.attn\.(qkv|proj)\.bias$`), "block$1/attn/$2/bias"},
	{regexp.MustCompile(`^blocks\.(\d+)\.mlp\.fc([12])\.weight$`), "block$1/mlp/fc$2/weights"},
	{regexp.MustCompile(`^blocks\.(\d+)\.mlp\.fc([12])\.bias$`), "block$1/mlp/fc$2/bias"},
	{regexp.MustCompile(`^norm\.weight$`), "norm/gamma"},
	{regexp.MustCompile(`^norm\.bias$`), "norm/beta"},
	{regexp.MustCompile(`^head\.weight$`), "head/weights"},
	{regexp.MustCompile(`^head\.bias$`), "head/bias"},
	// torchvision
	{regexp.MustCompile(`^class_token$`), "patch_embed/cls_token"},
	{regexp.MustCompile(`^encoder\.pos_embedding$`), "patch_embed/pos_embed"},
	{regexp.MustCompile(`^conv_proj\.weight$`), "patch_embed/proj/weights"},
	{regexp.MustCompile(`^conv_proj\.bias$`), "patch_embed/proj/bias"},
	{regexp.MustCompile(`^encoder\.layers\.encoder_layer_(\d+)\.ln_([12])\.weight$`), "block$1/norm$2/gamma"},
	{regexp.MustCompile(`^encoder\.layers\.encoder_layer_(\d+)\.ln_([12])\.bias$`), "block$1/norm$2/beta"},
	{regexp.MustCompile(`^encoder\.layers\.encoder_layer_(\d+)\.self_attention\.in_proj_weight$`), "block$1/attn/qkv/weights"},
	{regexp.MustCompile(`^encoder\.layers\.encoder_layer_(\d+)\.self_attention\.in_proj_bias$`), "block$1/attn/qkv/bias"},
	{regexp.MustCompile(`^encoder\.layers\.encoder_layer_(\d+)\.self_attention\.out_proj\.weight$`), "block$1/attn/proj/weights"},
	{regexp.MustCompile(`^encoder\.layers\.encoder_layer_(\d+)\.self_attention\.out_proj\.bias$`), "block$1/attn/proj/bias"},
	{regexp.MustCompile(`^encoder\.layers\.encoder_layer_(\d+)\.mlp\.(?:0|linear_1)\.weight$`), "block$1/mlp/fc1/weights"},
	{regexp.MustCompile(`^encoder\.layers\.encoder_layer_(\d+)\.mlp\.(?:0|linear_1)\.bias$`), "block$1/mlp/fc1/bias"},
	{regexp.MustCompile(`^encoder\.layers\.encoder_layer_(\d+)\.mlp\.(?:3|linear_2)\.weight$`), "block$1/mlp/fc2/weights"},
	{regexp.MustCompile(`^encoder\.layers\.encoder_layer_(\d+)\.mlp\.(?:3|linear_2)\.bias$`), "block$1/mlp/fc2/bias"},
	{regexp.MustCompile(`^encoder\.ln\.weight$`), "norm/gamma"},
	{regexp.MustCompile(`^encoder\.ln\.bias$`), "norm/beta"},
	{regexp.MustCompile(`^heads\.head\.weight$`), "head/weights"},
	{regexp.MustCompile(`^heads\.head\.bias$`), "head/bias"},
}

// ViTName returns the ViT variable path of a timm or torchvision vision
// transformer parameter name, or "".
func ViTName(name string) string {
	for _, m := range vitNames {
		if m.re.MatchString(name) {
			return m.re.ReplaceAllString(name, m.path)
		}
	}
	return ""
}

// ViTConfigOf recognises a timm (cls_token, patch_embed.proj, blocks.N) or
// torchvision (class_token, conv_proj, encoder.layers) vision transformer
// state_dict and returns its configuration and the square input side its
// position embeddings were made for. shape returns a tensor's shape (nil
// when absent).
func ViTConfigOf(shape func(string) []int) (cfg ViTConfig, side int, ok bool) {
	proj, pos, head, qkv, fc1 := "patch_embed.proj.weight", "pos_embed", "head.weight", "blocks.%d.attn.qkv.weight", "blocks.0.mlp.fc1.weight"
	if shape("conv_proj.weight") != nil {
		proj, pos, head, qkv, fc1 = "conv_proj.weight", "encoder.pos_embedding", "heads.head.weight", "encoder.layers.encoder_layer_%d.self_attention.in_proj_weight", "encoder.layers.encoder_layer_0.mlp.0.weight"
		if shape(fc1) == nil {
			fc1 = "encoder.layers.encoder_layer_0.mlp.linear_1.weight"
		}
	}
	p, e, h, f := shape(proj), shape(pos), shape(head), shape(fc1)
	if len(p) != 4 || len(e) != 3 || len(h) != 2 || len(f) != 2 {
		return ViTConfig{}, 0, false
	}
	cfg = ViTConfig{Patch: p[2], Dim: p[0], MLP: f[0], Classes: h[0]}
	for shape(fmt.Sprintf(qkv, cfg.Depth)) != nil {
		cfg.Depth++
	}
	grid := int(math.Round(math.Sqrt(float64(e[1] - 1))))
	if grid*grid != e[1]-1 || cfg.Depth == 0 {
		return ViTConfig{}, 0, false
	}
	// The head count is not in the weights: ViT-Tiny/DeiT-Tiny (192) has 3,
	// Small (384) 6, Base (768) 12, Large (1024) 16 (64 per head), Huge
	// (1280) 16 (80 per head).
	cfg.Heads = max(1, cfg.Dim/64)
	if cfg.Dim == 1280 {
		cfg.Heads = 16
	}
	return cfg, grid * cfg.Patch, true
}

// LoadViT loads timm or torchvision vision transformer weights
// (safetensors) into a ViT.
func LoadViT(m *net.Model, path string) error {
	return LoadMapped(m, path, ViTName)
}
