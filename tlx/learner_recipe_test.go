package tlx

import (
	"io"
	"os/exec"
	"path/filepath"
	"slices"
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
