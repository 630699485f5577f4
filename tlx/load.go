package tlx

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/hub"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/safetensors"
	"github.com/tlx-go/tlx/tlx/tfjs"
)

// LoadOptions adjust Load; the zero value suits image classifiers.
type LoadOptions struct {
	// InputShape is the per-example input (NHWC for images): needed when
	// the file does not fix it (dynamic ONNX dimensions, a TF.js model
	// saved with free height and width), the size a TF.js model runs at
	// instead of its saved one, and the input size a safetensors
	// ResNet/MobileNetV2 is built for (default 224×224×3).
	InputShape []int
	// Output names the ONNX tensor the model computes (an embedding, say).
	Output string
	// ChannelsFirst keeps an ONNX model's NCHW input (see onnxnet.Options).
	ChannelsFirst bool
	// Hub says where the hub cache is and whether to go online; the zero
	// value takes hub.Defaults(). It is not part of the model's recipe: a
	// rebuild takes hub.Defaults().
	Hub *hub.Options `json:"-"`
	// Preprocessing, when set, is what the model's inputs expect (see
	// net.Preprocessing) instead of what Load infers: ImageNet's mean and
	// std for torchvision/timm weights, [-1, 1] for TF.js models named as
	// Keras's MobileNet, MobileNetV2, Inception, Xception and NASNet
	// applications, pixels/255 otherwise.
	Preprocessing *net.Preprocessing
}

// loadBuilder is the net.Recipe builder of models made by Load: its
// arguments are loadArgs.
const loadBuilder = "load"

// loadArgs are Load's arguments as a recipe records them.
type loadArgs struct {
	Source  string      `json:"source"`
	Options LoadOptions `json:"options"`
}

func init() {
	net.RegisterBuilder(loadBuilder, func(js json.RawMessage) (*net.Model, error) {
		var a loadArgs
		if err := json.Unmarshal(js, &a); err != nil {
			return nil, fmt.Errorf("load recipe arguments: %w", err)
		}
		return Load(a.Source, a.Options)
	})
}

// Load opens a pretrained model as a tlx model whose layer groups can be
// frozen, fine-tuned and saved:
//
//   - "model.onnx": ONNX (onnxnet.Load; a file written by Export gives
//     back its class names and preprocessing)
//   - ".../model.json": a TF.js layers model (tfjs.Load)
//   - "weights.safetensors": torchvision or timm ResNet-18/34 or
//     MobileNetV2 weights, recognised by their names, in tlx's own
//     architecture (arch.LoadMapped)
//   - a folder with config.json, model.safetensors and tokenizer.json: a
//     Hugging Face BERT encoder such as all-MiniLM-L6-v2 (text.Load; input
//     [seqLen] token ids, seqLen = InputShape[0], default 128)
//   - "hf:owner/repo[/file][@revision]": any of these from the Hugging Face
//     hub, cached locally; offline (HF_HUB_OFFLINE=1) from the cache only
//
// The model records its preprocessing (see LoadOptions.Preprocessing) and
// its recipe (the source, made absolute, and the options), so that a
// Learner can rebuild it in a later cell.
func Load(source string, opts ...LoadOptions) (*net.Model, error) {
	var o LoadOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	m, err := load(source, o)
	if err != nil {
		return nil, err
	}
	if o.Preprocessing != nil {
		if err := o.Preprocessing.Validate(m.InputShape[len(m.InputShape)-1]); err != nil && !o.ChannelsFirst {
			return nil, fmt.Errorf("loading %s: LoadOptions.Preprocessing: %w", source, err)
		}
		m.Preprocessing = *o.Preprocessing
	}
	if !strings.HasPrefix(source, "hf:") {
		if abs, err := filepath.Abs(source); err == nil {
			source = abs
		}
	}
	o.Hub = nil
	m.Recipe = net.NewRecipe(loadBuilder, loadArgs{Source: source, Options: o})
	return m, nil
}

// kerasSymmetric are the name prefixes of Keras applications whose
// preprocess_input maps pixels to [-1, 1] ("tf" mode).
var kerasSymmetric = []string{"mobilenet_", "mobilenetv2", "inception", "xception", "nasnet"}

// load is Load without the recipe.
func load(source string, o LoadOptions) (*net.Model, error) {
	if strings.HasPrefix(source, "hf:") {
		ref, err := hub.Parse(source)
		if err != nil {
			return nil, err
		}
		ho := hub.Defaults()
		if o.Hub != nil {
			ho = *o.Hub
		}
		local, err := hub.Fetch(ref, ho)
		if err != nil {
			return nil, err
		}
		return load(local, o)
	}
	switch {
	case isTextModelDir(source):
		return loadText(source, o) // load_text.go: a BERT encoder (tlx/text)
	case strings.HasSuffix(source, ".onnx"):
		return loadONNX(source, o) // export_load.go: reads a tlx export's metadata too
	case strings.HasSuffix(source, ".json"):
		m, err := tfjs.LoadWith(source, tfjs.Options{InputShape: o.InputShape}) // a size for free (or resized) inputs
		if err != nil {
			return nil, err
		}
		name := strings.ToLower(m.Name)
		for _, p := range kerasSymmetric {
			if strings.HasPrefix(name, p) || name == strings.TrimSuffix(p, "_") {
				m.Preprocessing = net.SymmetricUnit
			}
		}
		return m, nil
	case strings.HasSuffix(source, ".safetensors"):
		m, err := loadPyTorchWeights(source, o.InputShape)
		if err != nil {
			return nil, err
		}
		if m.InputShape[len(m.InputShape)-1] == 3 {
			m.Preprocessing = net.ImageNet // torchvision's and timm's training transforms
		}
		return m, nil
	}
	return nil, fmt.Errorf("loading %s: unknown format (want .onnx, a TF.js model.json, .safetensors, a BERT folder or hf:owner/repo)", source)
}

// loadPyTorchWeights recognises a ResNet or MobileNetV2 state_dict by its
// tensor names and builds the matching tlx architecture around it.
func loadPyTorchWeights(path string, input []int) (*net.Model, error) {
	file, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", path, err)
	}
	if input == nil {
		input = []int{224, 224, 3}
	}
	has := func(name string) bool { _, ok := file.Tensors[name]; return ok }
	classesOf := func(name string) int {
		if t, ok := file.Tensors[name]; ok && len(t.Shape) == 2 {
			return t.Shape[0]
		}
		return 0
	}
	var m *net.Model
	var mapName func(string) string
	switch {
	case has("layer1.0.conv1.weight") && has("fc.weight"):
		if has("layer1.0.conv3.weight") {
			return nil, fmt.Errorf("loading %s: a bottleneck ResNet (50 and deeper); tlx builds ResNet-18 and -34", path)
		}
		depth := 18
		if has("layer3.5.conv1.weight") {
			depth = 34
		}
		width := file.Tensors["conv1.weight"].Shape[0]
		m = arch.ResNet(arch.ResNetConfig{Depth: depth, Width: width, Classes: classesOf("fc.weight")}, input...)
		mapName = arch.TorchvisionName
	case has("features.0.0.weight") && has("classifier.1.weight"):
		m = arch.MobileNetV2(arch.MobileNetV2Config{Classes: classesOf("classifier.1.weight")}, input...)
		mapName = arch.TorchvisionMobileNetV2Name
	case has("conv_stem.weight") && has("blocks.0.0.conv_dw.weight"):
		m = arch.MobileNetV2(arch.MobileNetV2Config{Classes: classesOf("classifier.weight")}, input...)
		mapName = arch.TimmMobileNetV2Name
	default:
		return nil, fmt.Errorf("loading %s: not a torchvision/timm ResNet-18/34 or MobileNetV2 state_dict (for tlx's own weights, build the model and call LoadWeights)", path)
	}
	m.Name = strings.TrimSuffix(filepath.Base(path), ".safetensors")
	if err := arch.LoadMappedFile(m, file, path, mapName); err != nil {
		return nil, err
	}
	return m, nil
}
