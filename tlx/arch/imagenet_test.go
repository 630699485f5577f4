package arch

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/internal/testutil"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/safetensors"
)

// imagenetFixtures are export_imagenet.py's oracles (ResNet-50, VGG-16,
// EfficientNet-B0, ConvNeXt-Tiny, ViT-Tiny with random weights), generated once per test
// binary (~1 minute on the 2-core machine).
var imagenetFixtures = testutil.Fixtures("apt-get install python3-torch python3-torchvision", "/usr/bin/python3", "testdata/export_imagenet.py")

// loadAs loads a safetensors file through the recogniser, as tlx.Load
// does, for inputs of the given shape.
func loadAs(input ...int) func(*net.Model, string) error {
	return func(m *net.Model, path string) error {
		file, err := safetensors.ReadFile(path)
		if err != nil {
			return err
		}
		_, mapName, err := Recognise(file, input)
		if err != nil {
			return err
		}
		return LoadMappedFile(m, file, path, mapName)
	}
}

// torchvision's resnet50 (random weights, random BatchNorm statistics) at
// 64×64: the recogniser builds a bottleneck ResNet of [3,4,6,3] blocks,
// whose logits are PyTorch's. The one SGD step is checked on the same
// Bottleneck code with one block per stage (see export_imagenet.py for
// why: bounding the ReLU kinks of resnet50 costs five minutes).
func TestResNet50MatchesTorchvision(t *testing.T) {
	o := newOracle(t, imagenetFixtures, "resnet50")
	m, err := LoadSafetensors(o.file(""), []int{64, 64, 3})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.GroupNames(), []string{"stem", "layer1", "layer2", "layer3", "layer4", "head"}; !slices.Equal(got, want) {
		t.Errorf("groups %v, want %v", got, want)
	}
	if cfg := m.Recipe; cfg == nil {
		t.Error("no recipe")
	}
	s, err := m.Summarize()
	if err != nil {
		t.Fatal(err)
	}
	// torchvision's resnet50 with 10 classes: 25,557,032 - 2048*990 - 990.
	if want := 25557032 - 2048*990 - 990; s.Params != want {
		t.Errorf("%d parameters, want torchvision's %d", s.Params, want)
	}
	if !slices.Equal(m.Preprocessing.Mean, net.ImageNet.Mean) {
		t.Errorf("preprocessing %+v, want ImageNet's", m.Preprocessing)
	}
	o.checkLogits(t, m, "resnet50")

	small := newOracle(t, imagenetFixtures, "resnet_bottleneck")
	build := func() *net.Model {
		return ResNet(ResNetConfig{Depth: 50, Blocks: [4]int{1, 1, 1, 1}, Classes: 10}, 64, 64, 3)
	}
	b := build()
	if err := loadAs(64, 64, 3)(b, small.file("")); err != nil {
		t.Fatal(err)
	}
	small.checkLogits(t, b, "bottleneck [1,1,1,1]")
	if n := small.checkStep(t, b, build, loadAs(64, 64, 3)); n < 4*3*2+4 {
		t.Errorf("only %d updated variables compared", n)
	}
}

// torchvision's vgg16 (its classifier narrowed to 256 hidden units: the
// 4096-wide one is 480 MB a file; tlx reads the width from the file) at
// 32×32, where the last map is 1×1 and the adaptive 7×7 pooling repeats
// it: logits in eval mode, the same weights under timm's names (ConvMlp),
// and one SGD step without dropout.
func TestVGG16MatchesTorchvisionAndTimm(t *testing.T) {
	o := newOracle(t, imagenetFixtures, "vgg16")
	cfg := VGGConfig{Depth: 16, Hidden: 256, Classes: 10, NoDropout: true}
	for _, file := range []string{"vgg16", "vgg16_timm"} {
		m, err := LoadSafetensors(filepath.Join(o.dir, file+".safetensors"), []int{32, 32, 3})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := m.GroupNames(), []string{"block1", "block2", "block3", "block4", "block5", "classifier", "head"}; !slices.Equal(got, want) {
			t.Errorf("%s: groups %v, want %v", file, got, want)
		}
		o.checkLogits(t, m, file)
	}
	build := func() *net.Model { return VGG(cfg, 32, 32, 3) }
	m := build()
	if err := LoadTorchvisionVGG(m, cfg, o.file("")); err != nil {
		t.Fatal(err)
	}
	if n := o.checkStep(t, m, build, func(m *net.Model, p string) error { return LoadTorchvisionVGG(m, cfg, p) }); n < 2*16 {
		t.Errorf("only %d updated variables compared", n)
	}
}

// torchvision's VisionTransformer in ViT-Tiny's configuration (patch 16,
// width 192, 12 blocks, 3 heads, MLP 768) at 64×64 (16 patches and the
// class token; the position embeddings follow the size, so the recogniser
// takes the size from them), under timm's names and torchvision's: logits
// and one SGD step. No ReLU or max-pool: nothing to bound but rounding.
func TestViTTinyMatchesPyTorch(t *testing.T) {
	o := newOracle(t, imagenetFixtures, "vit_tiny")
	for _, file := range []string{"vit_tiny", "vit_tiny_tv"} {
		m, err := LoadSafetensors(filepath.Join(o.dir, file+".safetensors"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(m.InputShape, []int{64, 64, 3}) {
			t.Errorf("%s: input %v, want the 64×64×3 of its position embeddings", file, m.InputShape)
		}
		groups := m.GroupNames()
		if len(groups) != 15 || groups[0] != "patch_embed" || groups[1] != "block0" || groups[12] != "block11" || groups[13] != "norm" {
			t.Errorf("%s: groups %v", file, groups)
		}
		o.checkLogits(t, m, file)
	}
	build := func() *net.Model { return ViT(ViTConfig{Classes: 10}, 64, 64, 3) }
	m := build()
	if err := LoadViT(m, o.file("")); err != nil {
		t.Fatal(err)
	}
	if n := o.checkStep(t, m, build, LoadViT); n < 12*12 {
		t.Errorf("only %d updated variables compared", n)
	}
}

// torchvision's convnext_tiny at 64×64 (stochastic depth off, random
// layer scales), under timm's names and torchvision's: logits and one SGD
// step. GELU and LayerNorm only: nothing to bound but rounding.
func TestConvNeXtTinyMatchesTorchvisionAndTimm(t *testing.T) {
	o := newOracle(t, imagenetFixtures, "convnext_tiny")
	for _, file := range []string{"convnext_tiny", "convnext_tiny_tv"} {
		m, err := LoadSafetensors(filepath.Join(o.dir, file+".safetensors"), []int{64, 64, 3})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := m.GroupNames(), []string{"stem", "stage1", "stage2", "stage3", "stage4", "norm", "head"}; !slices.Equal(got, want) {
			t.Errorf("%s: groups %v, want %v", file, got, want)
		}
		s, err := m.Summarize()
		if err != nil {
			t.Fatal(err)
		}
		// torchvision's convnext_tiny with 10 classes: 27,827,818.
		if s.Params != 27827818 {
			t.Errorf("%s: %d parameters, want torchvision's 27827818", file, s.Params)
		}
		o.checkLogits(t, m, file)
	}
	build := func() *net.Model { return ConvNeXt(ConvNeXtConfig{Classes: 10}, 64, 64, 3) }
	m := build()
	if err := LoadConvNeXt(m, o.file("")); err != nil {
		t.Fatal(err)
	}
	if n := o.checkStep(t, m, build, LoadConvNeXt); n < 18*9 {
		t.Errorf("only %d updated variables compared", n)
	}
}

// torchvision's efficientnet_b0 at 64×64 (stochastic depth and dropout
// off, random BatchNorm statistics), under torchvision's names and timm's:
// logits and one SGD step. SiLU and sigmoid only: nothing to bound but
// rounding.
func TestEfficientNetB0MatchesTorchvisionAndTimm(t *testing.T) {
	o := newOracle(t, imagenetFixtures, "efficientnet_b0")
	for _, file := range []string{"efficientnet_b0", "efficientnet_b0_timm"} {
		m, err := LoadSafetensors(filepath.Join(o.dir, file+".safetensors"), []int{64, 64, 3})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := m.GroupNames(), []string{"stem", "block1", "block2", "block3", "block4", "block5", "block6", "block7", "final", "head"}; !slices.Equal(got, want) {
			t.Errorf("%s: groups %v, want %v", file, got, want)
		}
		o.checkLogits(t, m, file)
	}
	build := func() *net.Model { return EfficientNetB0(EfficientNetConfig{Classes: 10, NoDropout: true}, 64, 64, 3) }
	m := build()
	s, err := m.Summarize()
	if err != nil {
		t.Fatal(err)
	}
	// torchvision's efficientnet_b0 with 10 classes: 4,020,358 parameters.
	if s.Params != 4020358 {
		t.Errorf("%d parameters, want torchvision's 4020358", s.Params)
	}
	if err := LoadEfficientNet(m, o.file("")); err != nil {
		t.Fatal(err)
	}
	if n := o.checkStep(t, m, build, LoadEfficientNet); n < 16*8 {
		t.Errorf("only %d updated variables compared", n)
	}
}

// A timm config.json next to the weights gives the preprocessing (timm's
// augreg ViTs were trained on [-1, 1], not ImageNet's mean and std).
func TestTimmConfigPreprocessing(t *testing.T) {
	o := newOracle(t, imagenetFixtures, "vit_tiny")
	dir := t.TempDir()
	data, err := os.ReadFile(o.file(""))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "model.safetensors")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := LoadSafetensors(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Preprocessing.Std, net.ImageNet.Std) {
		t.Errorf("without config.json: %+v, want ImageNet's", m.Preprocessing)
	}
	cfg := `{"architecture": "vit_tiny_patch16_224", "pretrained_cfg": {"mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if m, err = LoadSafetensors(path, nil); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Preprocessing.Mean, []float64{0.5, 0.5, 0.5}) || !slices.Equal(m.Preprocessing.Std, []float64{0.5, 0.5, 0.5}) {
		t.Errorf("with timm's config.json: %+v, want mean and std 0.5", m.Preprocessing)
	}
}

// ViT-Tiny at 224×224 with ImageNet's 1000 classes has timm's
// vit_tiny_patch16_224 parameter count (5,717,416) and a 192-wide
// embedding.
func TestViTTinyAt224(t *testing.T) {
	m := ViT(ViTConfig{Classes: 1000}, 224, 224, 3)
	s, err := m.Summarize()
	if err != nil {
		t.Fatal(err)
	}
	if s.Params != 5717416 {
		t.Errorf("%d parameters, want timm's 5717416", s.Params)
	}
	if got := s.Groups[len(s.Groups)-2].OutputShape; !slices.Equal(got, []int{2, 192}) {
		t.Errorf("embedding %v, want [2 192]", got)
	}
}

// The new architectures take the transfer-learning steps of the course: a
// fresh head, every group but the head frozen, one training step moves the
// head only, and the recipe rebuilds the same network.
func TestImageNetArchitecturesFineTune(t *testing.T) {
	for _, m := range []*net.Model{
		ResNet(ResNetConfig{Depth: 50, Width: 4, Blocks: [4]int{1, 1, 1, 1}, Classes: 7}, 32, 32, 3),
		VGG(VGGConfig{Depth: 11, Hidden: 16, Classes: 7}, 32, 32, 3),
		EfficientNetB0(EfficientNetConfig{Classes: 7}, 32, 32, 3),
		ConvNeXt(ConvNeXtConfig{Depths: [4]int{1, 1, 1, 1}, Dims: [4]int{8, 16, 24, 32}, Classes: 7}, 32, 32, 3),
		ViT(ViTConfig{Dim: 32, Depth: 2, Heads: 2, Classes: 7}, 32, 32, 3),
	} {
		if err := m.ReplaceHead(3); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		if err := m.FreezeTo(len(m.Groups) - 1); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		before := map[string]map[string][]float32{}
		for _, g := range m.GroupNames() {
			v, err := m.GroupValues(g)
			if err != nil {
				t.Fatalf("%s: %v", m.Name, err)
			}
			before[g] = v
		}
		step, err := fit.NewTrainStep(m, fit.SGD(0), 0.1)
		if err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		x := testutil.UniformBatch(4, m.InputShape, 1, 1)
		if _, err := step.Step(x, tensors.FromFlatDataAndDimensions([]int32{0, 1, 2, 0}, 4)); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		for _, g := range m.GroupNames() {
			after, _ := m.GroupValues(g)
			changed := false
			for path, w := range after {
				if !slices.Equal(w, before[g][path]) {
					changed = true
				}
			}
			if changed != (g == net.HeadName) {
				t.Errorf("%s: group %s changed = %v after a step with only the head trainable", m.Name, g, changed)
			}
		}
		if m.Recipe == nil {
			t.Errorf("%s: no recipe", m.Name)
			continue
		}
		r, err := net.Rebuild(m.Recipe)
		if err != nil {
			t.Fatalf("%s: rebuilding from its recipe: %v", m.Name, err)
		}
		if !slices.Equal(r.GroupNames(), m.GroupNames()) {
			t.Errorf("%s: rebuilt groups %v, want %v", m.Name, r.GroupNames(), m.GroupNames())
		}
	}
}
