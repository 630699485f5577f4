package arch

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/tlx-go/tlx/tlx/net"
)

var (
	tvConvNeXt   = regexp.MustCompile(`^features\.(\d)\.(\d+)\.(\w+)$`)
	tvConvNeXtBl = regexp.MustCompile(`^features\.(\d)\.(\d+)\.(?:block\.(\d)\.(weight|bias)|(layer_scale))$`)
	timmConvNeXt = regexp.MustCompile(`^stages\.(\d)\.blocks\.(\d+)\.(conv_dw|norm|mlp\.fc1|mlp\.fc2|gamma)(?:\.(weight|bias))?$`)
	timmDown     = regexp.MustCompile(`^stages\.(\d)\.downsample\.([01])\.(weight|bias)$`)
	convNeXtTop  = map[string]string{
		"features.0.0.weight": "stem/conv/weights", "features.0.0.bias": "stem/conv/bias",
		"features.0.1.weight": "stem/norm/gamma", "features.0.1.bias": "stem/norm/beta",
		"classifier.0.weight": "norm/gamma", "classifier.0.bias": "norm/beta",
		"classifier.2.weight": "head/weights", "classifier.2.bias": "head/bias",
		"stem.0.weight": "stem/conv/weights", "stem.0.bias": "stem/conv/bias",
		"stem.1.weight": "stem/norm/gamma", "stem.1.bias": "stem/norm/beta",
		"head.norm.weight": "norm/gamma", "head.norm.bias": "norm/beta",
		"head.fc.weight": "head/weights", "head.fc.bias": "head/bias",
	}
	// convNeXtLayer names a block's layers: torchvision's block.N index or
	// timm's name → tlx scope.
	convNeXtLayer = map[string]string{"0": "dw", "2": "norm", "3": "fc1", "5": "fc2",
		"conv_dw": "dw", "norm": "norm", "mlp.fc1": "fc1", "mlp.fc2": "fc2"}
)

// ConvNeXtName returns the ConvNeXt variable path of a torchvision
// (features.N..., classifier) or timm (stem, stages.N.downsample,
// stages.N.blocks.M..., head.norm, head.fc) ConvNeXt parameter, or "".
func ConvNeXtName(name string) string {
	if p, ok := convNeXtTop[name]; ok {
		return p
	}
	field := func(layer, f string) string {
		switch {
		case layer == "norm" || layer == "down_norm":
			return map[string]string{"weight": "gamma", "bias": "beta"}[f]
		case layer == "dw" && f == "weight":
			return "depthwise"
		case f == "weight":
			return "weights"
		}
		return f
	}
	if m := tvConvNeXtBl.FindStringSubmatch(name); m != nil {
		k, _ := strconv.Atoi(m[1])
		if k%2 == 0 {
			return ""
		}
		scope := fmt.Sprintf("stage%d/block%s", (k+1)/2, m[2])
		if m[5] != "" {
			return scope + "/layer_scale"
		}
		layer := convNeXtLayer[m[3]]
		if layer == "" {
			return ""
		}
		return scope + "/" + layer + "/" + field(layer, m[4])
	}
	if m := tvConvNeXt.FindStringSubmatch(name); m != nil { // downsampling: features.2/4/6.{0 norm, 1 conv}
		k, _ := strconv.Atoi(m[1])
		if k%2 != 0 || k == 0 {
			return ""
		}
		layer := map[string]string{"0": "down_norm", "1": "down"}[m[2]]
		return fmt.Sprintf("stage%d/%s/%s", k/2+1, layer, field(layer, m[3]))
	}
	if m := timmDown.FindStringSubmatch(name); m != nil {
		s, _ := strconv.Atoi(m[1])
		layer := map[string]string{"0": "down_norm", "1": "down"}[m[2]]
		return fmt.Sprintf("stage%d/%s/%s", s+1, layer, field(layer, m[3]))
	}
	if m := timmConvNeXt.FindStringSubmatch(name); m != nil {
		s, _ := strconv.Atoi(m[1])
		scope := fmt.Sprintf("stage%d/block%s", s+1, m[2])
		if m[3] == "gamma" {
			return scope + "/layer_scale"
		}
		layer := convNeXtLayer[m[3]]
		return scope + "/" + layer + "/" + field(layer, m[4])
	}
	return ""
}

// ConvNeXtConfigOf recognises a torchvision (features.1.0.layer_scale) or
// timm (stages.0.blocks.0.conv_dw) ConvNeXt state_dict: blocks per stage,
// channels and classes.
func ConvNeXtConfigOf(shape func(string) []int) (ConvNeXtConfig, bool) {
	var cfg ConvNeXtConfig
	timm := shape("stem.0.weight") != nil
	for s := range 4 {
		for {
			dw := fmt.Sprintf("features.%d.%d.block.0.weight", 2*s+1, cfg.Depths[s])
			if timm {
				dw = fmt.Sprintf("stages.%d.blocks.%d.conv_dw.weight", s, cfg.Depths[s])
			}
			d := shape(dw)
			if len(d) != 4 {
				break
			}
			cfg.Dims[s] = d[0]
			cfg.Depths[s]++
		}
		if cfg.Depths[s] == 0 {
			return ConvNeXtConfig{}, false
		}
	}
	head := shape("classifier.2.weight")
	if timm {
		head = shape("head.fc.weight")
	}
	if len(head) != 2 {
		return ConvNeXtConfig{}, false
	}
	cfg.Classes = head[0]
	return cfg, true
}

// LoadConvNeXt loads torchvision or timm ConvNeXt weights (safetensors)
// into a ConvNeXt.
func LoadConvNeXt(m *net.Model, path string) error {
	return LoadMapped(m, path, ConvNeXtName)
}
