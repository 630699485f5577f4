package tlx

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/hub"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/text"
	"github.com/tlx-go/tlx/tlx/tfjs"
)

// LoadOptions adjust Load; the zero value suits image classifiers.
type LoadOptions struct {
	// InputShape is the per-example input (NHWC for images): needed when
	// the file does not fix it (dynamic ONNX dimensions, a TF.js model
	// saved with free height and width), the size a TF.js model runs at
	// instead of its saved one, and the input size a torchvision/timm
	// safetensors model is built for (default 224×224×3; a vision
	// transformer's default is the size of its position embeddings).
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
//   - "weights.safetensors": torchvision or timm ResNet-18/34/50/101/152,
//     MobileNetV2, VGG-11/13/16/19 or ViT/DeiT weights, recognised by their
//     names, in tlx's own architecture (arch.LoadSafetensors, arch.Recognised)
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
		if strings.HasSuffix(local, ".safetensors") {
			// timm repositories keep the preprocessing in config.json next
			// to the weights (arch.LoadSafetensors reads it); repositories
			// without one load with ImageNet's.
			cfg := hub.Ref{Repo: ref.Repo, File: path.Join(path.Dir(ref.File), "config.json"), Revision: ref.Revision}
			if _, err := hub.Fetch(cfg, ho); err != nil && o.Preprocessing == nil {
				fmt.Fprintf(os.Stderr, "tlx.Load(%s): no config.json beside the weights (%v): ImageNet's mean and std assumed; set LoadOptions.Preprocessing if the model expects another\n", source, err)
			}
		}
		return load(local, o)
	}
	switch {
	case text.IsModelDir(source): // config.json, model.safetensors, tokenizer.json
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
		// ImageNet's mean and std (torchvision's and timm's), or a timm
		// config.json's next to the file.
		return arch.LoadSafetensors(source, o.InputShape)
	}
	return nil, fmt.Errorf("loading %s: unknown format (want .onnx, a TF.js model.json, .safetensors, a BERT folder or hf:owner/repo)", source)
}
