// Package tfjs imports TensorFlow.js layers models (model.json plus binary
// weight shards, float32 or quantised to uint8/uint16/float16) as tlx
// models.
//
//	m, err := tfjs.Load("mobilenet/model.json")
//	m.Freeze("conv*")             // groups are Keras layer names
//
// The Keras functional graph is rebuilt for the layer types MobileNet- and
// ResNet-style models use (Conv2D, DepthwiseConv2D, BatchNormalization,
// ReLU, Activation, Add, Concatenate, ZeroPadding2D, Max/AveragePooling2D,
// GlobalAverage/MaxPooling2D, Dense, Dropout, Reshape, Flatten). Each Keras
// layer is a group, except where a residual connection or branch crosses
// layers: those merge into one group named by the layers' common prefix
// (see package graphcut). Models named as Keras applications are grouped
// by block instead (MobileNetV2: stem, block_0 … block_16, Conv_1;
// InceptionV3: stem, mixed0 … mixed10; then pool and head). The last group
// is "head" when it holds a Dense layer. BatchNormalization runs on its
// moving statistics, which are never trained; Dropout drops only while
// training.
//
// LoadWith takes an input size for models saved with free height and
// width (or a backbone run at another size), and Unbundle turns a model
// that an npm package ships as JavaScript modules (model.min.js and
// group1-shard*.min.js, as nsfwjs does) back into model.json and shards.
package tfjs

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/compute/dtypes/float16"
)

// maxModelJSON bounds model.json (the topology and manifest; weights live
// in the shards).
const maxModelJSON = 64 << 20

// modelFile is model.json in the layers-model format.
type modelFile struct {
	Format          string          `json:"format"`
	ModelTopology   json.RawMessage `json:"modelTopology"`
	WeightsManifest []struct {
		Paths   []string     `json:"paths"`
		Weights []weightSpec `json:"weights"`
	} `json:"weightsManifest"`
}

// weightSpec describes one weight in the shards.
type weightSpec struct {
	Name         string `json:"name"`
	Shape        []int  `json:"shape"`
	DType        string `json:"dtype"`
	Quantization *struct {
		DType string   `json:"dtype"`
		Scale *float64 `json:"scale"`
		Min   *float64 `json:"min"`
	} `json:"quantization"`
}

// readModel parses model.json and decodes every weight to float32.
func readModel(path string) (*modelFile, map[string]weight, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if info.Size() > maxModelJSON {
		return nil, nil, fmt.Errorf("model.json is %d bytes; more than %d is not a layers model", info.Size(), maxModelJSON)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var mf modelFile
	if err := json.Unmarshal(data, &mf); err != nil {
		return nil, nil, fmt.Errorf("not a TF.js model.json: %w", err)
	}
	if mf.Format != "" && mf.Format != "layers-model" {
		return nil, nil, fmt.Errorf("format %q: tlx imports layers models (a graph model needs the TF.js converter's layers output)", mf.Format)
	}
	if len(mf.ModelTopology) == 0 {
		return nil, nil, fmt.Errorf("model.json has no modelTopology")
	}
	weights, err := readWeights(&mf, filepath.Dir(path))
	if err != nil {
		return nil, nil, err
	}
	return &mf, weights, nil
}

// weight is a decoded weight.
type weight struct {
	shape  []int
	values []float32
}

// readWeights reads each manifest group's shards (concatenated in order)
// and decodes its weights, checking sizes before allocating.
func readWeights(mf *modelFile, dir string) (map[string]weight, error) {
	out := map[string]weight{}
	for gi, group := range mf.WeightsManifest {
		var need int64
		for _, w := range group.Weights {
			_, size, err := w.size()
			if err != nil {
				return nil, fmt.Errorf("weightsManifest[%d] weight %q: %w", gi, w.Name, err)
			}
			need += size
		}
		var have int64
		var files []string
		for _, p := range group.Paths {
			if !filepath.IsLocal(p) || strings.Contains(p, "\\") {
				return nil, fmt.Errorf("weightsManifest[%d]: shard path %q must be a relative path inside the model's folder", gi, p)
			}
			full := filepath.Join(dir, p)
			info, err := os.Stat(full)
			if err != nil {
				return nil, fmt.Errorf("weightsManifest[%d]: shard %w", gi, err)
			}
			have += info.Size()
			files = append(files, full)
		}
		if have != need {
			return nil, fmt.Errorf("weightsManifest[%d]: shards %v hold %d bytes, the weights listed need %d", gi, group.Paths, have, need)
		}
		buf := make([]byte, 0, need)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			buf = append(buf, b...)
		}
		for _, w := range group.Weights {
			n, size, _ := w.size()
			values, err := w.decode(buf[:size], n)
			if err != nil {
				return nil, fmt.Errorf("weight %q: %w", w.Name, err)
			}
			buf = buf[size:]
			if _, dup := out[w.Name]; dup {
				return nil, fmt.Errorf("weight %q listed twice", w.Name)
			}
			out[w.Name] = weight{shape: w.Shape, values: values}
		}
	}
	return out, nil
}

// size returns the number of elements and the bytes the weight takes in
// the shards.
func (w weightSpec) size() (n, bytes int64, err error) {
	n = 1
	for _, d := range w.Shape {
		if d < 0 || (d > 0 && n > (1<<31)/int64(d)) {
			return 0, 0, fmt.Errorf("shape %v: negative or more than 2^31 elements", w.Shape)
		}
		n *= int64(d)
	}
	dtype := w.DType
	if w.Quantization != nil {
		dtype = w.Quantization.DType
	}
	switch dtype {
	case "float32", "int32":
		return n, 4 * n, nil
	case "uint16", "float16":
		return n, 2 * n, nil
	case "uint8", "bool":
		return n, n, nil
	}
	return 0, 0, fmt.Errorf("dtype %q is not supported (float32, int32, or quantised uint8/uint16/float16)", dtype)
}

// decode turns a weight's bytes into float32 values.
func (w weightSpec) decode(b []byte, n int64) ([]float32, error) {
	out := make([]float32, n)
	q := w.Quantization
	if q == nil {
		switch w.DType {
		case "float32":
			for i := range out {
				out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			}
		case "int32":
			for i := range out {
				out[i] = float32(int32(binary.LittleEndian.Uint32(b[4*i:])))
			}
		default:
			return nil, fmt.Errorf("dtype %q without quantization", w.DType)
		}
		return out, nil
	}
	if q.DType == "float16" {
		for i := range out {
			out[i] = float16.Float16(binary.LittleEndian.Uint16(b[2*i:])).Float32()
		}
		return out, nil
	}
	if q.Scale == nil || q.Min == nil {
		return nil, fmt.Errorf("%s quantization needs scale and min", q.DType)
	}
	scale, lo := *q.Scale, *q.Min
	for i := range out {
		var v float64
		if q.DType == "uint8" {
			v = float64(b[i])
		} else {
			v = float64(binary.LittleEndian.Uint16(b[2*i:]))
		}
		out[i] = float32(v*scale + lo)
	}
	return out, nil
}
