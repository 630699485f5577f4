package arch

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/safetensors"
)

// torchvisionResNet maps torchvision's ResNet parameter names to tlx's
// variable paths (stem, layerN/blockM/{a,b,c,down}/{conv,bn}, head); a
// bottleneck block's conv3/bn3 is its "c".
var torchvisionResNet = []struct {
	re   *regexp.Regexp
	path string
}{
	{regexp.MustCompile(`^conv1\.weight$`), "stem/conv/weights"},
	{regexp.MustCompile(`^bn1\.(\w+)$`), "stem/bn/$1"},
	{regexp.MustCompile(`^layer(\d)\.(\d+)\.conv1\.weight$`), "layer$1/block$2/a/conv/weights"},
	{regexp.MustCompile(`^layer(\d)\.(\d+)\.bn1\.(\w+)$`), "layer$1/block$2/a/bn/$3"},
	{regexp.MustCompile(`^layer(\d)\.(\d+)\.conv2\.weight$`), "layer$1/block$2/b/conv/weights"},
	{regexp.MustCompile(`^layer(\d)\.(\d+)\.bn2\.(\w+)$`), "layer$1/block$2/b/bn/$3"},
	{regexp.MustCompile(`^layer(\d)\.(\d+)\.conv3\.weight$`), "layer$1/block$2/c/conv/weights"},
	{regexp.MustCompile(`^layer(\d)\.(\d+)\.bn3\.(\w+)$`), "layer$1/block$2/c/bn/$3"},
	{regexp.MustCompile(`^layer(\d)\.(\d+)\.downsample\.0\.weight$`), "layer$1/block$2/down/conv/weights"},
	{regexp.MustCompile(`^layer(\d)\.(\d+)\.downsample\.1\.(\w+)$`), "layer$1/block$2/down/bn/$3"},
	{regexp.MustCompile(`^fc\.weight$`), "head/weights"},
	{regexp.MustCompile(`^fc\.bias$`), "head/bias"},
}

// bnNames maps BatchNorm parameter names: torchvision → tlx.
var bnNames = map[string]string{"weight": "gamma", "bias": "beta", "running_mean": "mean", "running_var": "variance"}

// TorchvisionName returns the tlx variable path for a torchvision ResNet
// parameter name ("" for names tlx has no use for, such as
// num_batches_tracked).
func TorchvisionName(name string) string {
	for _, m := range torchvisionResNet {
		if !m.re.MatchString(name) {
			continue
		}
		path := m.re.ReplaceAllString(name, m.path)
		return bnField(path)
	}
	return ""
}

// bnField renames a mapped BatchNorm parameter (the last path element of a
// path through a ".../bn/" or "..._bn/" scope) to tlx's name; other paths
// are returned as they are, and unknown BatchNorm fields as "".
func bnField(path string) string {
	i := strings.LastIndex(path, "/")
	scope := path[:i]
	if !strings.HasSuffix(scope, "/bn") && !strings.HasSuffix(scope, "_bn") && scope != "bn" {
		return path
	}
	field, ok := bnNames[path[i+1:]]
	if !ok {
		return ""
	}
	return scope + "/" + field
}

// LoadTorchvisionResNet loads a torchvision (or timm: same names) ResNet
// state_dict saved as safetensors (PyTorch names and layouts) into a tlx
// ResNet of the same depth, width and classes built with the ImageNet
// stem: convolution kernels go from OIHW to HWIO, the classifier from
// [out, in] to [in, out]. Every tlx variable must be filled and every
// tensor used.
func LoadTorchvisionResNet(m *net.Model, path string) error {
	return LoadMapped(m, path, TorchvisionName)
}

// LoadMapped loads PyTorch-layout safetensors into m, naming each tensor's
// variable with mapName ("" skips num_batches_tracked and fails on
// anything else). Every variable of m must be filled.
func LoadMapped(m *net.Model, path string, mapName func(string) string) error {
	file, err := safetensors.ReadFile(path)
	if err != nil {
		return fmt.Errorf("loading PyTorch weights from %s: %w", path, err)
	}
	return LoadMappedFile(m, file, path, mapName)
}

// LoadMappedFile is LoadMapped for a file already read (path names it in
// errors).
func LoadMappedFile(m *net.Model, file *safetensors.File, path string, mapName func(string) string) error {
	if _, err := m.Init(); err != nil {
		return err
	}
	filled := map[string]bool{}
	for name, t := range file.Tensors {
		target := mapName(name)
		if target == "" {
			if strings.HasSuffix(name, "num_batches_tracked") {
				continue
			}
			return fmt.Errorf("%s: tensor %q has no place in %s", path, name, m.Name)
		}
		v := m.Store.GetVariable("/" + target)
		if v == nil {
			return fmt.Errorf("%s: tensor %q maps to %s, which model %s lacks (depth, width or stem differ?)", path, name, target, m.Name)
		}
		values, err := t.Float32s()
		if err != nil {
			return fmt.Errorf("%s: tensor %q: %w", path, name, err)
		}
		values, shape := toTLXLayout(values, t.Shape, v.Shape().Dimensions)
		if !slices.Equal(shape, v.Shape().Dimensions) {
			return fmt.Errorf("%s: tensor %q becomes %v, but %s is %v", path, name, shape, target, v.Shape().Dimensions)
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(values, shape...)); err != nil {
			return err
		}
		filled[target] = true
	}
	for _, g := range m.Groups {
		for _, v := range m.Variables(g.Name) {
			if !filled[strings.TrimPrefix(v.Path(), "/")] {
				return fmt.Errorf("%s: no tensor for %s", path, v.Path())
			}
		}
	}
	return nil
}

// toTLXLayout reorders a PyTorch tensor for a tlx variable of shape want:
// convolution kernels OIHW → HWIO (depthwise [C,1,k,k] → [k,k,1,C]),
// Linear weights [out, in] → [in, out], and two layouts of the same dense
// layer over a feature map: a Linear over a flattened NCHW map [out, C·k·k]
// into a kernel-shaped variable [k,k,C,out], and a 1×1 convolution
// [out,in,1,1] into a Linear's [in, out] (timm's ConvMlp); a per-channel
// [C,1,1] (torchvision's ConvNeXt layer scale) becomes [C]. Other ranks
// are kept as they are.
func toTLXLayout(values []float32, shape, want []int) ([]float32, []int) {
	switch {
	case len(shape) == 2 && len(want) == 4 && shape[0] == want[3] && shape[1] == want[0]*want[1]*want[2]:
		return transpose(values, []int{shape[0], want[2], want[0], want[1]}, []int{2, 3, 1, 0})
	case len(shape) == 4 && len(want) == 2 && shape[2] == 1 && shape[3] == 1:
		return transpose(values, shape[:2], []int{1, 0})
	case len(shape) == 3 && len(want) == 1 && shape[0] == want[0] && shape[1] == 1 && shape[2] == 1: // [C,1,1] per-channel scale
		return values, want
	case len(shape) == 4:
		return transpose(values, shape, []int{2, 3, 1, 0})
	case len(shape) == 2:
		return transpose(values, shape, []int{1, 0})
	}
	return values, shape
}

// transpose permutes the axes of a row-major array.
func transpose(values []float32, shape, perm []int) ([]float32, []int) {
	out := make([]float32, len(values))
	newShape := make([]int, len(shape))
	for i, p := range perm {
		newShape[i] = shape[p]
	}
	strides := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		strides[i] = s
		s *= shape[i]
	}
	idx := make([]int, len(shape))
	for o := range out {
		// o indexes the new layout; walk its coordinates.
		rem := o
		for i := len(newShape) - 1; i >= 0; i-- {
			idx[i] = rem % newShape[i]
			rem /= newShape[i]
		}
		src := 0
		for i, p := range perm {
			src += idx[i] * strides[p]
		}
		out[o] = values[src]
	}
	return out, newShape
}
