package tfjs

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/tlx/internal/testutil"
)

// A model saved with free height and width is refused without a size and
// loads with one; a fully convolutional model computes the same at its
// original size whichever way its input was declared.
func TestLoadFreeInputSize(t *testing.T) {
	src := fixtures.Path(t, "mobilenetish")
	dir := t.TempDir()
	raw, err := os.ReadFile(filepath.Join(src, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	free := strings.Replace(string(raw), `"batch_input_shape":[null,32,32,3]`, `"batch_input_shape":[null,null,null,3]`, 1)
	if free == string(raw) {
		t.Fatal("the fixture's model.json has no batch_input_shape [null,32,32,3] to free")
	}
	if err := os.WriteFile(filepath.Join(dir, "model.json"), []byte(free), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, shard := range []string{"group1-shard1of2.bin", "group1-shard2of2.bin"} {
		b, err := os.ReadFile(filepath.Join(src, shard))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, shard), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Load(filepath.Join(dir, "model.json")); err == nil || !strings.Contains(err.Error(), "InputShape") {
		t.Fatalf("free input loaded without a size, or the error does not say how: %v", err)
	}
	if _, err := LoadWith(filepath.Join(dir, "model.json"), Options{InputShape: []int{32, 32, 1}}); err == nil {
		t.Error("an input with 1 channel was accepted for a 3-channel model")
	}
	m, err := LoadWith(filepath.Join(dir, "model.json"), Options{InputShape: []int{32, 32, 3}})
	if err != nil {
		t.Fatal(err)
	}
	var shape []int
	rawShape, _ := os.ReadFile(filepath.Join(src, "input.json"))
	_ = json.Unmarshal(rawShape, &shape)
	x := tensors.FromFlatDataAndDimensions(testutil.ReadF32(t, filepath.Join(src, "input.f32")), shape...)
	y, err := m.Output(x, "")
	if err != nil {
		t.Fatal(err)
	}
	worst, scale := testutil.MaxDiff(tensors.MustCopyFlatData[float32](y), testutil.ReadF32(t, filepath.Join(src, "output.f32")))
	if worst > 1e-5*max(scale, 1) {
		t.Errorf("with a free input declared, outputs differ from tfjs's by %.2g", worst)
	}
	big, err := LoadWith(filepath.Join(dir, "model.json"), Options{InputShape: []int{48, 40, 3}})
	if err != nil {
		t.Fatal(err)
	}
	y, err = big.Output(testutil.UniformBatch(2, []int{48, 40, 3}, 1, 1), "")
	if err != nil {
		t.Fatal(err)
	}
	if d := y.Shape().Dimensions; !slices.Equal(d, []int{2, 5}) {
		t.Errorf("at 48×40 the output has shape %v, want [2 5]", d)
	}
}
