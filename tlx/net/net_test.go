package net_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
)

func frozen(m *net.Model) []string {
	var out []string
	for _, g := range m.Groups {
		if g.Frozen {
			out = append(out, g.Name)
		}
	}
	return out
}

func TestFreezeByNameGlobIndex(t *testing.T) {
	m := arch.ResNet(arch.ResNetConfig{Width: 4, Classes: 3, SmallInput: true}, 8, 8, 3)
	if err := m.Freeze("layer[12]", "stem"); err != nil {
		t.Fatal(err)
	}
	if got := frozen(m); !slices.Equal(got, []string{"stem", "layer1", "layer2"}) {
		t.Errorf("frozen = %v", got)
	}
	if err := m.Unfreeze("layer*"); err != nil {
		t.Fatal(err)
	}
	if got := frozen(m); !slices.Equal(got, []string{"stem"}) {
		t.Errorf("after Unfreeze(layer*) frozen = %v", got)
	}
	if err := m.FreezeTo(-1); err != nil {
		t.Fatal(err)
	}
	if got := frozen(m); len(got) != 5 || slices.Contains(got, "head") {
		t.Errorf("FreezeTo(-1) froze %v, want all but head", got)
	}
	err := m.Freeze("layer9")
	if err == nil || !strings.Contains(err.Error(), `no group matches "layer9"`) || !strings.Contains(err.Error(), "layer4") {
		t.Errorf("unknown group error = %v, want one naming the pattern and listing the groups", err)
	}
	if err := m.FreezeTo(7); err == nil {
		t.Error("FreezeTo beyond the groups succeeded")
	}
}

func TestApplyTrainableKeepsStatisticsFixed(t *testing.T) {
	m := arch.ResNet(arch.ResNetConfig{Width: 4, Classes: 3, SmallInput: true}, 8, 8, 3)
	if _, err := m.Init(); err != nil {
		t.Fatal(err)
	}
	_ = m.FreezeTo(2)
	m.ApplyTrainable()
	for _, v := range m.Variables("stem") {
		if v.Trainable {
			t.Errorf("frozen %s is trainable", v.Path())
		}
	}
	for _, v := range m.Variables("layer2") {
		stat := v.Name() == "mean" || v.Name() == "variance"
		if v.Trainable == stat {
			t.Errorf("%s trainable=%v", v.Path(), v.Trainable)
		}
	}
}

func TestSaveLoadWeightsAndHash(t *testing.T) {
	dir := t.TempDir()
	a := arch.CNN("cnn", 10, true, 12, 12, 1)
	h1, err := a.WeightsHash()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "w.safetensors")
	if err := a.SaveWeights(path); err != nil {
		t.Fatal(err)
	}
	b := arch.CNN("cnn", 10, true, 12, 12, 1)
	b.Seed = 2
	h2, _ := b.WeightsHash()
	if h1 == h2 {
		t.Fatal("different seeds gave equal weights")
	}
	if err := b.LoadWeights(path); err != nil {
		t.Fatal(err)
	}
	if h3, _ := b.WeightsHash(); h3 != h1 {
		t.Error("loaded weights differ from saved ones")
	}
	x := tensors.FromFlatDataAndDimensions(make([]float32, 3*12*12), 3, 12, 12, 1)
	ya, _ := a.Output(x, "")
	yb, _ := b.Output(x, "")
	if !slices.Equal(tensors.MustCopyFlatData[float32](ya), tensors.MustCopyFlatData[float32](yb)) {
		t.Error("same weights, different outputs")
	}

	// Another head: load all but the head.
	c := arch.CNN("cnn", 4, true, 12, 12, 1)
	err = c.LoadWeights(path)
	if err == nil || !strings.Contains(err.Error(), `"head/bias" has shape [10], the model wants [4]`) {
		t.Errorf("head mismatch error = %v", err)
	}
	if err := c.LoadWeights(path, "head"); err != nil {
		t.Errorf("LoadWeights skipping head: %v", err)
	}
	// Another architecture.
	d := arch.MLP("mlp", []int{8}, 10, 12, 12, 1)
	if err := d.LoadWeights(path, "head"); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("architecture mismatch error = %v", err)
	}
	// Damaged file.
	data, _ := os.ReadFile(path)
	bad := filepath.Join(dir, "bad.safetensors")
	_ = os.WriteFile(bad, data[:len(data)/2], 0o644)
	if err := b.LoadWeights(bad); err == nil || !strings.Contains(err.Error(), "bad.safetensors") {
		t.Errorf("truncated file error = %v, want one naming the file", err)
	}
}

func TestReplaceHeadAndTruncate(t *testing.T) {
	m := arch.MLP("mlp", []int{16}, 10, 4)
	x := tensors.FromFlatDataAndDimensions(make([]float32, 8), 2, 4)
	if err := m.ReplaceHead(3); err != nil {
		t.Fatal(err)
	}
	y, err := m.Output(x, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := y.Shape().Dimensions; !slices.Equal(got, []int{2, 3}) {
		t.Errorf("logits shape after ReplaceHead(3) = %v", got)
	}
	feat, err := m.Features(x)
	if err != nil {
		t.Fatal(err)
	}
	if got := feat.Shape().Dimensions; !slices.Equal(got, []int{2, 16}) {
		t.Errorf("features shape = %v, want [2 16]", got)
	}
	if _, err := m.Output(tensors.FromFlatDataAndDimensions(make([]float32, 10), 2, 5), ""); err == nil || !strings.Contains(err.Error(), "want [batch [4]]") {
		t.Errorf("wrong input shape error = %v", err)
	}
	s := m.Summary()
	if !strings.Contains(s.String(), "head") || !strings.Contains(s.HTML(), "<table") {
		t.Errorf("summary:\n%s", s)
	}
}

// Weights go through GoMLX's checkpoint format and back; a checkpoint of
// another architecture is refused.
func TestGoMLXCheckpoint(t *testing.T) {
	build := func(units int) *net.Model {
		return net.New("mlp", 4).
			Add("hidden", func(c *nn.Ctx, x *graph.Node) *graph.Node { return nn.ReLU(nn.Dense(c, x, units)) }).
			Add(net.HeadName, net.Classifier(3))
	}
	a := build(8)
	dir := t.TempDir()
	if err := a.SaveCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	b := build(8)
	b.Seed = 99
	if err := b.LoadCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	ha, _ := a.WeightsHash()
	hb, _ := b.WeightsHash()
	if ha != hb {
		t.Errorf("weights differ after the checkpoint round trip: %s vs %s", ha, hb)
	}
	if err := build(5).LoadCheckpoint(dir); err == nil || !strings.Contains(err.Error(), "hidden") {
		t.Errorf("loading into another shape: got %v", err)
	}
	if err := build(8).LoadCheckpoint(t.TempDir()); err == nil {
		t.Error("an empty folder loaded")
	}
}
