package arch

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/tlx-go/tlx/tlx/net"
)

var (
	tvEffBlock   = regexp.MustCompile(`^features\.([1-7])\.(\d+)\.block\.(\d)\.(?:([01])\.(\w+)|(fc[12])\.(weight|bias))$`)
	timmEffBlock = regexp.MustCompile(`^blocks\.([0-6])\.(\d+)\.(conv_pw|conv_dw|conv_pwl|bn1|bn2|bn3|se\.conv_reduce|se\.conv_expand)\.(\w+)$`)
	effTop       = map[string]string{
		"features.0.0.weight": "stem/conv/weights", "features.8.0.weight": "final/conv/weights",
		"classifier.1.weight": "head/weights", "classifier.1.bias": "head/bias",
		"conv_stem.weight": "stem/conv/weights", "conv_head.weight": "final/conv/weights",
		"classifier.weight": "head/weights", "classifier.bias": "head/bias",
	}
	effBN = map[string]string{"features.0.1.": "stem/bn/", "features.8.1.": "final/bn/", "bn1.": "stem/bn/", "bn2.": "final/bn/"}
)

// EfficientNetName returns the EfficientNet-B0 variable path of a
// torchvision (features.S.R.block.I...) or timm efficientnet_b0
// (conv_stem, blocks.S.R.conv_pw/conv_dw/se/conv_pwl, conv_head) parameter,
// or "".
func EfficientNetName(name string) string {
	if p, ok := effTop[name]; ok {
		return p
	}
	for prefix, scope := range effBN {
		if len(name) > len(prefix) && name[:len(prefix)] == prefix {
			return bnField(scope + name[len(prefix):])
		}
	}
	layer := func(stage, repeat int, l, field string) string {
		scope := fmt.Sprintf("block%d/mb%d/", stage, repeat)
		switch l {
		case "expand_bn", "dw_bn", "project_bn":
			return bnField(scope + l + "/" + field)
		case "se/fc1", "se/fc2":
			return scope + l + "/" + map[string]string{"weight": "weights", "bias": "bias"}[field]
		case "dw":
			if field == "weight" {
				return scope + "dw/depthwise"
			}
		case "expand", "project":
			if field == "weight" {
				return scope + l + "/weights"
			}
		}
		return ""
	}
	if m := tvEffBlock.FindStringSubmatch(name); m != nil {
		stage, _ := strconv.Atoi(m[1])
		repeat, _ := strconv.Atoi(m[2])
		// block.I: expand (conv, bn), depthwise (conv, bn), SE, project
		// (conv, bn); the first stage has no expansion.
		parts := []string{"expand", "dw", "se", "project"}
		if efficientNetStages[stage-1][0] == 1 {
			parts = parts[1:]
		}
		i, _ := strconv.Atoi(m[3])
		if i >= len(parts) {
			return ""
		}
		switch p := parts[i]; {
		case p == "se" && m[6] != "":
			return layer(stage, repeat, "se/"+m[6], m[7])
		case p != "se" && m[4] == "0":
			return layer(stage, repeat, p, m[5])
		case p != "se" && m[4] == "1":
			return layer(stage, repeat, p+"_bn", m[5])
		}
		return ""
	}
	if m := timmEffBlock.FindStringSubmatch(name); m != nil {
		s, _ := strconv.Atoi(m[1])
		repeat, _ := strconv.Atoi(m[2])
		// timm's first stage is depthwise-separable: conv_dw, bn1, se,
		// conv_pw (the projection), bn2; the others conv_pw (expand), bn1,
		// conv_dw, bn2, se, conv_pwl (project), bn3.
		names := map[string]string{"conv_pw": "expand", "bn1": "expand_bn", "conv_dw": "dw", "bn2": "dw_bn",
			"conv_pwl": "project", "bn3": "project_bn", "se.conv_reduce": "se/fc1", "se.conv_expand": "se/fc2"}
		if efficientNetStages[s][0] == 1 {
			names = map[string]string{"conv_dw": "dw", "bn1": "dw_bn", "conv_pw": "project", "bn2": "project_bn",
				"se.conv_reduce": "se/fc1", "se.conv_expand": "se/fc2"}
		}
		if l, ok := names[m[3]]; ok {
			return layer(s+1, repeat, l, m[4])
		}
	}
	return ""
}

// LoadEfficientNet loads torchvision or timm EfficientNet-B0 weights
// (safetensors) into an EfficientNetB0.
func LoadEfficientNet(m *net.Model, path string) error {
	return LoadMapped(m, path, EfficientNetName)
}
