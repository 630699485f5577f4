package arch

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/tlx-go/tlx/tlx/net"
)

// mobileNetBlock returns, for torchvision's features index k (1..17), the
// tlx stage (1..7) and repeat within it.
func mobileNetBlock(k int) (stage, repeat int, ok bool) {
	i := 1
	for s, st := range mobileNetStages {
		for r := range st[2] {
			if i == k {
				return s + 1, r, true
			}
			i++
		}
	}
	return 0, 0, false
}

var (
	tvMobileStem  = regexp.MustCompile(`^features\.0\.([01])\.(\w+)$`)
	tvMobileFinal = regexp.MustCompile(`^features\.18\.([01])\.(\w+)$`)
	tvMobileBlock = regexp.MustCompile(`^features\.(\d+)\.conv\.(\d)(?:\.(\d))?\.(\w+)$`)
	tvMobileHead  = regexp.MustCompile(`^classifier\.1\.(weight|bias)$`)
)

// TorchvisionMobileNetV2Name returns the tlx variable path of a
// torchvision MobileNetV2 parameter, or "".
func TorchvisionMobileNetV2Name(name string) string {
	convOrBN := func(scope, idx, field string) string {
		if idx == "0" {
			if field != "weight" {
				return ""
			}
			return scope + "/conv/weights"
		}
		return bnField(scope + "/bn/" + field)
	}
	if m := tvMobileStem.FindStringSubmatch(name); m != nil {
		return convOrBN("stem", m[1], m[2])
	}
	if m := tvMobileFinal.FindStringSubmatch(name); m != nil {
		return convOrBN("final", m[1], m[2])
	}
	if m := tvMobileHead.FindStringSubmatch(name); m != nil {
		return map[string]string{"weight": "head/weights", "bias": "head/bias"}[m[1]]
	}
	m := tvMobileBlock.FindStringSubmatch(name)
	if m == nil {
		return ""
	}
	k, _ := strconv.Atoi(m[1])
	stage, repeat, ok := mobileNetBlock(k)
	if !ok {
		return ""
	}
	// Expanding blocks: conv.0 = expand (conv, bn), conv.1 = depthwise
	// (conv, bn), conv.2 = project conv, conv.3 = project bn. The first
	// stage (no expansion) starts at the depthwise layer.
	part := m[2]
	if mobileNetStages[stage-1][0] == 1 {
		part = map[string]string{"0": "1", "1": "2", "2": "3"}[part]
	}
	return mobileNetLayer(stage, repeat, part, m[3], m[4])
}

// mobileNetLayer names a layer of an inverted residual: part 0 expand, 1
// depthwise, 2 project conv, 3 project bn; sub 0 conv, 1 bn (parts 0, 1).
func mobileNetLayer(stage, repeat int, part, sub, field string) string {
	scope := fmt.Sprintf("block%d/ir%d/", stage, repeat)
	layer := map[string]string{"0": "expand", "1": "dw", "2": "project", "3": "project"}[part]
	isBN := part == "3" || (part != "2" && sub == "1")
	switch {
	case layer == "":
		return ""
	case isBN:
		return bnField(scope + layer + "_bn/" + field)
	case field != "weight":
		return ""
	case layer == "dw":
		return scope + "dw/depthwise"
	default:
		return scope + layer + "/weights"
	}
}

var (
	timmMobileBlock = regexp.MustCompile(`^blocks\.(\d)\.(\d+)\.(conv_pw|conv_dw|conv_pwl|bn1|bn2|bn3)\.(\w+)$`)
	timmMobileTop   = map[string]string{
		"conv_stem.weight": "stem/conv/weights", "conv_head.weight": "final/conv/weights",
		"classifier.weight": "head/weights", "classifier.bias": "head/bias",
	}
)

// TimmMobileNetV2Name returns the tlx variable path of a timm
// mobilenetv2_100 parameter, or "".
func TimmMobileNetV2Name(name string) string {
	if p, ok := timmMobileTop[name]; ok {
		return p
	}
	for prefix, scope := range map[string]string{"bn1.": "stem/bn/", "bn2.": "final/bn/"} {
		if len(name) > len(prefix) && name[:len(prefix)] == prefix {
			return bnField(scope + name[len(prefix):])
		}
	}
	m := timmMobileBlock.FindStringSubmatch(name)
	if m == nil {
		return ""
	}
	stage, _ := strconv.Atoi(m[1])
	repeat, _ := strconv.Atoi(m[2])
	if stage >= len(mobileNetStages) || repeat >= mobileNetStages[stage][2] {
		return ""
	}
	layer, field := m[3], m[4]
	// timm's first stage is a depthwise-separable block: conv_dw, bn1,
	// conv_pw (the projection), bn2. The others: conv_pw (expand), bn1,
	// conv_dw, bn2, conv_pwl (project), bn3.
	layers := map[string][2]string{"conv_pw": {"0", "0"}, "bn1": {"0", "1"}, "conv_dw": {"1", "0"}, "bn2": {"1", "1"}, "conv_pwl": {"2", ""}, "bn3": {"3", ""}}
	if mobileNetStages[stage][0] == 1 {
		layers = map[string][2]string{"conv_dw": {"1", "0"}, "bn1": {"1", "1"}, "conv_pw": {"2", ""}, "bn2": {"3", ""}}
	}
	pair := layers[layer]
	part, sub := pair[0], pair[1]
	if part == "" {
		return ""
	}
	return mobileNetLayer(stage+1, repeat, part, sub, field)
}

// LoadTorchvisionMobileNetV2 loads a torchvision MobileNetV2 state_dict
// (safetensors) into a tlx MobileNetV2 of the same width and classes.
func LoadTorchvisionMobileNetV2(m *net.Model, path string) error {
	return LoadMapped(m, path, TorchvisionMobileNetV2Name)
}

// LoadTimmMobileNetV2 loads timm's mobilenetv2 weights (safetensors, as
// the Hugging Face hub serves them) into a tlx MobileNetV2.
func LoadTimmMobileNetV2(m *net.Model, path string) error {
	return LoadMapped(m, path, TimmMobileNetV2Name)
}
