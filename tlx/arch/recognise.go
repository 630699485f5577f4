package arch

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/safetensors"
)

// Recognised lists the PyTorch state_dicts (safetensors) that Recognise and
// LoadSafetensors know, by their parameter names:
//
//   - ResNet (torchvision resnet18/34/50/101/152, timm resnet*.a1_in1k,
//     .tv_in1k, ...: conv1, bn1, layerN.M.conv1.., fc): basic or bottleneck
//     blocks, any number per stage, any width
//   - MobileNetV2 (torchvision features.N.conv.., classifier.1; timm
//     mobilenetv2_100: conv_stem, blocks.S.R.conv_pw..)
//   - VGG-11/13/16/19, with or without BatchNorm (torchvision features.N,
//     classifier.0/3/6; timm vgg16.tv_in1k ...: features.N, pre_logits.fc1
//     as a 7×7 convolution, head.fc), any hidden width
//   - EfficientNet-B0 (torchvision efficientnet_b0: features.S.R.block.I,
//     classifier.1; timm efficientnet_b0.ra_in1k: conv_stem,
//     blocks.S.R.conv_pw/conv_dw/se/conv_pwl, conv_head, classifier)
//   - ConvNeXt (torchvision convnext_tiny ...: features.N.M.block.K,
//     layer_scale, classifier.0/2; timm convnext_tiny.fb_in1k ...: stem,
//     stages.N.downsample, stages.N.blocks.M.conv_dw/norm/mlp/gamma,
//     head.norm, head.fc), any depths and widths
//   - vision transformers (timm vit_*/deit_* without distillation token:
//     cls_token, pos_embed, patch_embed.proj, blocks.N.attn.qkv, ..., head;
//     torchvision vit_b_16 ...: class_token, conv_proj,
//     encoder.layers.encoder_layer_N, heads.head), any width and depth, 64
//     channels per head
const Recognised = "ResNet (basic/bottleneck), MobileNetV2, EfficientNet-B0, VGG-11/13/16/19(-BN), ConvNeXt, ViT/DeiT (timm or torchvision names)"

// Recognise builds the tlx architecture whose variables a torchvision or
// timm state_dict fills (see Recognised) for inputs of the given per-example
// shape (nil: 224×224×3, or a vision transformer's own size), and returns
// the name mapping that LoadMappedFile needs.
func Recognise(file *safetensors.File, input []int) (*net.Model, func(string) string, error) {
	has := func(name string) bool { _, ok := file.Tensors[name]; return ok }
	shape := func(name string) []int {
		if t, ok := file.Tensors[name]; ok {
			return t.Shape
		}
		return nil
	}
	classesOf := func(name string) int {
		if s := shape(name); len(s) == 2 {
			return s[0]
		}
		return 0
	}
	size := input
	if size == nil {
		size = []int{224, 224, 3}
	}
	switch {
	case has("layer1.0.conv1.weight") && has("fc.weight") && has("conv1.weight"):
		var blocks [4]int
		for stage := range 4 {
			for has(fmt.Sprintf("layer%d.%d.conv1.weight", stage+1, blocks[stage])) {
				blocks[stage]++
			}
		}
		depth := 18
		if has("layer1.0.conv3.weight") {
			depth = 50
		}
		width := shape("conv1.weight")[0]
		return ResNet(ResNetConfig{Depth: depth, Width: width, Blocks: blocks, Classes: classesOf("fc.weight")}, size...), TorchvisionName, nil
	case has("features.1.0.block.0.0.weight") && has("features.8.0.weight") || has("conv_stem.weight") && has("blocks.0.0.se.conv_reduce.weight"):
		stem, head := shape("features.0.0.weight"), shape("classifier.1.weight")
		if stem == nil {
			stem, head = shape("conv_stem.weight"), shape("classifier.weight")
		}
		if len(stem) != 4 || stem[0] != 32 || len(head) != 2 || head[1] != 1280 {
			return nil, nil, fmt.Errorf("an EfficientNet other than B0 (stem %v, head %v): tlx builds B0", stem, head)
		}
		return EfficientNetB0(EfficientNetConfig{Classes: head[0]}, size...), EfficientNetName, nil
	case has("features.1.0.layer_scale") || has("stem.0.weight") && has("stages.0.blocks.0.conv_dw.weight"):
		cfg, ok := ConvNeXtConfigOf(shape)
		if !ok {
			return nil, nil, fmt.Errorf("a ConvNeXt state_dict without the blocks or head tlx expects")
		}
		return ConvNeXt(cfg, size...), ConvNeXtName, nil
	case has("features.0.0.weight") && has("classifier.1.weight"):
		return MobileNetV2(MobileNetV2Config{Classes: classesOf("classifier.1.weight")}, size...), TorchvisionMobileNetV2Name, nil
	case has("conv_stem.weight") && has("blocks.0.0.conv_dw.weight"):
		return MobileNetV2(MobileNetV2Config{Classes: classesOf("classifier.weight")}, size...), TimmMobileNetV2Name, nil
	case has("features.0.weight") && (has("classifier.6.weight") || has("head.fc.weight")):
		cfg, ok := VGGConfigOf(has, shape)
		if !ok {
			return nil, nil, fmt.Errorf("a VGG state_dict whose convolutions match none of VGG-11/13/16/19 (with or without BatchNorm)")
		}
		return VGG(cfg, size...), VGGNames(cfg), nil
	case has("cls_token") && has("patch_embed.proj.weight") || has("class_token") && has("conv_proj.weight"):
		if has("dist_token") {
			return nil, nil, fmt.Errorf("a distilled DeiT (dist_token, head_dist): tlx's ViT has one class token; use the non-distilled deit_*_patch16_224")
		}
		cfg, side, ok := ViTConfigOf(shape)
		if !ok {
			return nil, nil, fmt.Errorf("a vision transformer state_dict without the patch, position or head tensors tlx expects")
		}
		if input == nil {
			size = []int{side, side, 3}
		}
		return ViT(cfg, size...), ViTName, nil
	}
	return nil, nil, fmt.Errorf("not a torchvision/timm state_dict of %s (for tlx's own weights, build the model and call LoadWeights)", Recognised)
}

// LoadSafetensors reads a torchvision or timm state_dict, builds the
// architecture it belongs to (Recognise) and fills it: a model named after
// the file, with ImageNet's preprocessing (torchvision's and timm's mean
// and std), or the mean and std of a timm config.json next to the file
// (timm's "augreg" ViTs use 0.5 and 0.5).
func LoadSafetensors(path string, input []int) (*net.Model, error) {
	file, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", path, err)
	}
	m, mapName, err := func() (m *net.Model, f func(string) string, err error) {
		defer func() { // the builders panic on impossible configurations
			if r := recover(); r != nil {
				err = fmt.Errorf("%v", r)
			}
		}()
		return Recognise(file, input)
	}()
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", path, err)
	}
	m.Name = strings.TrimSuffix(filepath.Base(path), ".safetensors")
	if err := LoadMappedFile(m, file, path, mapName); err != nil {
		return nil, err
	}
	if m.InputShape[len(m.InputShape)-1] == 3 {
		m.Preprocessing = net.ImageNet
		p, err := TimmPreprocessing(filepath.Join(filepath.Dir(path), "config.json"))
		if err != nil {
			return nil, err
		}
		if p != nil {
			m.Preprocessing = *p
		}
	}
	return m, nil
}

// TimmPreprocessing reads the mean and std of a timm config.json
// (pretrained_cfg.mean, .std, as the Hugging Face hub's timm repositories
// hold it): nil when the file does not exist or names no mean and std.
func TimmPreprocessing(path string) (*net.Preprocessing, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var cfg struct {
		Architecture string `json:"architecture"`
		Pretrained   struct {
			Mean []float64 `json:"mean"`
			Std  []float64 `json:"std"`
		} `json:"pretrained_cfg"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(cfg.Pretrained.Mean) == 0 || len(cfg.Pretrained.Std) == 0 {
		return nil, nil
	}
	p := net.Preprocessing{Channels: 3, Mean: cfg.Pretrained.Mean, Std: cfg.Pretrained.Std, Source: "timm pretrained_cfg of " + cfg.Architecture}
	if err := p.Validate(3); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &p, nil
}
