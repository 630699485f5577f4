package arch

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/tlx-go/tlx/tlx/net"
)

var (
	vggFeature = regexp.MustCompile(`^features\.(\d+)\.(\w+)$`)
	vggTop     = map[string]string{
		// torchvision: classifier = Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear.
		"classifier.0.weight": "classifier/fc1/weights", "classifier.0.bias": "classifier/fc1/bias",
		"classifier.3.weight": "classifier/fc2/weights", "classifier.3.bias": "classifier/fc2/bias",
		"classifier.6.weight": "head/weights", "classifier.6.bias": "head/bias",
		// timm: pre_logits is a ConvMlp (7×7 then 1×1 convolutions), then head.fc.
		"pre_logits.fc1.weight": "classifier/fc1/weights", "pre_logits.fc1.bias": "classifier/fc1/bias",
		"pre_logits.fc2.weight": "classifier/fc2/weights", "pre_logits.fc2.bias": "classifier/fc2/bias",
		"head.fc.weight": "head/weights", "head.fc.bias": "head/bias",
	}
)

// VGGNames returns the mapping of torchvision's (vgg16, vgg16_bn, ...) and
// timm's (vgg16.tv_in1k, ...) VGG parameter names to the variables of
// VGG(cfg): features.N is the N-th module of torchvision's features
// (convolution, [BatchNorm,] ReLU, ..., max-pool), which becomes
// blockB/convI (and blockB/bnI).
func VGGNames(cfg VGGConfig) func(string) string {
	if cfg.Depth == 0 {
		cfg.Depth = 16
	}
	layers := map[int]string{} // features index -> tlx scope of its conv or bn
	i := 0
	for b, filters := range vggLayers[cfg.Depth] {
		for c := range filters {
			layers[i] = fmt.Sprintf("block%d/conv%d", b+1, c)
			i++
			if cfg.BatchNorm {
				layers[i] = fmt.Sprintf("block%d/bn%d", b+1, c)
				i++
			}
			i++ // ReLU
		}
		i++ // max-pool
	}
	return func(name string) string {
		if p, ok := vggTop[name]; ok {
			return p
		}
		m := vggFeature.FindStringSubmatch(name)
		if m == nil {
			return ""
		}
		k, _ := strconv.Atoi(m[1])
		scope, ok := layers[k]
		if !ok {
			return ""
		}
		switch field := m[2]; {
		case strings.Contains(scope, "/bn"):
			if f, ok := bnNames[field]; ok {
				return scope + "/" + f
			}
		case field == "weight":
			return scope + "/weights"
		case field == "bias":
			return scope + "/bias"
		}
		return ""
	}
}

// VGGConfigOf recognises a torchvision or timm VGG state_dict by the
// indices of its features' convolutions (which fix the depth and whether
// BatchNorm follows each) and the width of its classifier. has reports
// whether a tensor is present, shape its shape.
func VGGConfigOf(has func(string) bool, shape func(string) []int) (VGGConfig, bool) {
	for _, bn := range []bool{false, true} {
		for _, depth := range []int{11, 13, 16, 19} {
			cfg := VGGConfig{Depth: depth, BatchNorm: bn}
			names := VGGNames(cfg)
			convs, last := 0, -1
			for k := 0; k < 60; k++ {
				if has(fmt.Sprintf("features.%d.weight", k)) && len(shape(fmt.Sprintf("features.%d.weight", k))) == 4 {
					if names(fmt.Sprintf("features.%d.weight", k)) == "" {
						convs = -1
						break
					}
					convs++
					last = k
				}
			}
			want := 0
			for _, f := range vggLayers[depth] {
				want += len(f)
			}
			if convs != want || last < 0 || (bn != has(fmt.Sprintf("features.%d.running_mean", last+1))) {
				continue
			}
			for _, fc1 := range []string{"classifier.0.weight", "pre_logits.fc1.weight"} {
				if has(fc1) {
					cfg.Hidden = shape(fc1)[0]
				}
			}
			for _, head := range []string{"classifier.6.weight", "head.fc.weight"} {
				if has(head) {
					cfg.Classes = shape(head)[0]
				}
			}
			return cfg, cfg.Hidden > 0 && cfg.Classes > 0
		}
	}
	return VGGConfig{}, false
}

// LoadTorchvisionVGG loads torchvision or timm VGG weights (safetensors)
// into m, built by VGG(cfg).
func LoadTorchvisionVGG(m *net.Model, cfg VGGConfig, path string) error {
	return LoadMapped(m, path, VGGNames(cfg))
}
