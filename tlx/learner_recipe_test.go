package tlx

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/zoo"
)

// sameOutputs fails unless a and b give bit-identical outputs on x.
func sameOutputs(t *testing.T, what string, a, b *net.Model, until string) {
	t.Helper()
	n := 1
	for _, s := range a.InputShape {
		n *= s
	}
	flat := make([]float32, 2*n)
	for i := range flat {
		flat[i] = float32(i%17) / 17
	}
	x := tensors.FromFlatDataAndDimensions(flat, append([]int{2}, a.InputShape...)...)
	ya, err := a.Output(x, until)
	if err != nil {
		t.Fatal(err)
	}
	yb, err := b.Output(x, until)
	if err != nil {
		t.Fatal(err)
	}
	va, vb := tensors.MustCopyFlatData[float32](ya), tensors.MustCopyFlatData[float32](yb)
	if !slices.Equal(va, vb) {
		t.Errorf("%s: outputs differ: %v vs %v", what, va[:min(4, len(va))], vb[:min(4, len(vb))])
	}
}

// rebuilt follows m's recipe and, when withWeights, loads m's weights into
// the result (what OpenLearner does).
func rebuilt(t *testing.T, m *net.Model, withWeights bool) *net.Model {
	t.Helper()
	r, err := net.Rebuild(m.Recipe)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.GroupNames(), m.GroupNames()) || !slices.Equal(r.InputShape, m.InputShape) {
		t.Fatalf("rebuilt %v %v, want %v %v", r.GroupNames(), r.InputShape, m.GroupNames(), m.InputShape)
	}
	if withWeights {
		path := filepath.Join(t.TempDir(), "w.safetensors")
		if err := m.SaveWeights(path); err != nil {
			t.Fatal(err)
		}
		if err := r.LoadWeights(path); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// The recipes the zoo, ReplaceHead, tlx.Load and the architectures record
// rebuild the same network: a zoo model and an imported one with their own
// weights bit for bit; a replaced head's body bit for bit (the new head is
// fresh) and the whole model once its weights are loaded.
func TestRecipesRebuildBitIdenticalModels(t *testing.T) {
	t.Setenv("TLX_CACHE", t.TempDir())
	zoo.Progress = io.Discard
	m, err := Pretrained(testZooModel)
	if err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, "zoo", m, rebuilt(t, m, false), "")
	if err := m.ReplaceHead(4); err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, "zoo + ReplaceHead, body", m, rebuilt(t, m, false), m.FeatureGroup())
	sameOutputs(t, "zoo + ReplaceHead, weights loaded", m, rebuilt(t, m, true), "")

	r := arch.ResNet(arch.ResNetConfig{Depth: 18, Width: 4, Classes: 3, SmallInput: true}, 12, 12, 1)
	sameOutputs(t, "arch.ResNet, weights loaded", r, rebuilt(t, r, true), "")
	mb := arch.MobileNetV2(arch.MobileNetV2Config{Width: 0.25, Classes: 2, SmallInput: true}, 16, 16, 3)
	sameOutputs(t, "arch.MobileNetV2, weights loaded", mb, rebuilt(t, mb, true), "")

	dir := t.TempDir()
	if out, err := exec.Command("/usr/bin/python3", "onnxnet/testdata/export_models.py", dir, "smallcnn").CombinedOutput(); err != nil {
		t.Fatalf("exporting the PyTorch model: %v\n%s", err, out)
	}
	pre := net.SymmetricUnit
	o, err := Load(filepath.Join(dir, "smallcnn.onnx"), LoadOptions{Preprocessing: &pre})
	if err != nil {
		t.Fatal(err)
	}
	again := rebuilt(t, o, false)
	sameOutputs(t, "tlx.Load (ONNX)", o, again, "")
	if again.Preprocessing.String() != pre.String() || o.Preprocessing.String() != pre.String() {
		t.Errorf("LoadOptions.Preprocessing: loaded %v, rebuilt %v, want %v", o.Preprocessing, again.Preprocessing, pre)
	}
}

// tinyKeras is a TF.js layers model named as Keras names its applications
// (NAME): Flatten then Dense over a 2×2×3 image, 26 float32 weights.
const tinyKeras = `{"format":"layers-model","modelTopology":{"class_name":"Sequential","config":{"name":"NAME","layers":[
 {"class_name":"Flatten","config":{"name":"flat","batch_input_shape":[null,2,2,3]}},
 {"class_name":"Dense","config":{"name":"predictions","units":2,"activation":"linear","use_bias":true}}]}},
 "weightsManifest":[{"paths":["w.bin"],"weights":[{"name":"predictions/kernel","shape":[12,2],"dtype":"float32"},{"name":"predictions/bias","shape":[2],"dtype":"float32"}]}]}`

// Load sets the preprocessing the weights expect: [-1, 1] for a TF.js
// model named as Keras's MobileNetV2 (its preprocess_input), pixels/255
// for another name, and LoadOptions.Preprocessing wins over both.
func TestLoadInfersKerasPreprocessing(t *testing.T) {
	load := func(name string, opts ...LoadOptions) *net.Model {
		dir := t.TempDir()
		js := strings.Replace(tinyKeras, "NAME", name, 1)
		if err := os.WriteFile(filepath.Join(dir, "model.json"), []byte(js), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "w.bin"), make([]byte, 4*26), 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := Load(filepath.Join(dir, "model.json"), opts...)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if p := load("mobilenetv2_1.00_224").Preprocessing; p.String() != net.SymmetricUnit.String() {
		t.Errorf("Keras MobileNetV2: preprocessing %v, want %v", p, net.SymmetricUnit)
	}
	if p := load("my_classifier").Preprocessing; p.String() != net.Unit.String() {
		t.Errorf("another Keras model: preprocessing %v, want %v", p, net.Unit)
	}
	caffe := net.Preprocessing{BGR: true, Mean: []float64{0.4, 0.45, 0.5}, Std: []float64{1}}
	m := load("mobilenetv2_1.00_224", LoadOptions{Preprocessing: &caffe})
	if m.Preprocessing.String() != caffe.String() {
		t.Errorf("LoadOptions.Preprocessing: %v, want %v", m.Preprocessing, caffe)
	}
	if again := rebuilt(t, m, false); again.Preprocessing.String() != caffe.String() {
		t.Errorf("rebuilt from the recipe: %v, want %v", again.Preprocessing, caffe)
	}
}
