package tlx

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/hub"
	"github.com/tlx-go/tlx/tlx/hub/hubtest"
	"github.com/tlx-go/tlx/tlx/safetensors"
)

// A timm ViT repository (weights under timm's names, PyTorch's random
// ViT-Tiny at 64×64, and timm's config.json with the augreg models' [-1, 1]
// preprocessing) served by a local hub: tlx.Load("hf:timm/...") builds
// tlx's ViT, takes the preprocessing from config.json, gives PyTorch's
// logits, and loads again offline from the cache once the hub is gone.
func TestLoadTimmViTFromHub(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("/usr/bin/python3", "arch/testdata/export_imagenet.py", dir, "vit_tiny").CombinedOutput(); err != nil {
		t.Fatalf("exporting the PyTorch model: %v\n%s", err, out)
	}
	weights, err := os.ReadFile(filepath.Join(dir, "vit_tiny.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	io, err := safetensors.ReadFile(filepath.Join(dir, "vit_tiny_io.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	const repo = "timm/vit_tiny_patch16_224.augreg_in21k_ft_in1k"
	config := `{"architecture": "vit_tiny_patch16_224", "num_classes": 10, "pretrained_cfg": {"input_size": [3, 64, 64], "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]}}`
	srv := hubtest.New(repo, map[string][]byte{"model.safetensors": weights, "config.json": []byte(config), "README.md": []byte("# ViT")})
	opts := &hub.Options{CacheDir: t.TempDir(), Endpoint: srv.URL}
	check := func(what string) {
		t.Helper()
		m, err := Load("hf:"+repo, LoadOptions{Hub: opts})
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if !slices.Equal(m.InputShape, []int{64, 64, 3}) || m.GroupNames()[1] != "block0" {
			t.Errorf("%s: input %v groups %v, want the ViT of the weights' 64×64 position embeddings", what, m.InputShape, m.GroupNames())
		}
		if !slices.Equal(m.Preprocessing.Std, []float64{0.5, 0.5, 0.5}) {
			t.Errorf("%s: preprocessing %s, want config.json's mean and std 0.5", what, m.Preprocessing)
		}
		if d := logitsDiff(t, func(x *tensors.Tensor) (*tensors.Tensor, error) { return m.Output(x, "") }, io, false); d > 1e-4 {
			t.Errorf("%s: logits differ from PyTorch by %.2g relative", what, d)
		}
	}
	check("online")
	srv.Close()
	opts.Offline = true
	check("offline, from the cache")
	opts.CacheDir = t.TempDir()
	if _, err := Load("hf:"+repo, LoadOptions{Hub: opts}); err == nil || !strings.Contains(err.Error(), "offline") {
		t.Errorf("offline with an empty cache: %v", err)
	}
}

// The ImageNet architectures safetensors imports are built into export to
// ONNX and run in ONNX Runtime as in tlx (small widths and inputs: the
// operators are what is tested).
func TestExportImageNetArch(t *testing.T) {
	t.Run("resnet-bottleneck", func(t *testing.T) {
		m := arch.ResNet(arch.ResNetConfig{Depth: 50, Width: 4, Blocks: [4]int{1, 2, 1, 1}, Classes: 5}, 32, 32, 3)
		exportRandomBN(t, m)
		checkExport(t, m, 17)
	})
	t.Run("vgg11", func(t *testing.T) {
		checkExport(t, arch.VGG(arch.VGGConfig{Depth: 11, Hidden: 16, Classes: 4}, 32, 32, 3), 11)
	})
	t.Run("efficientnet-b0", func(t *testing.T) {
		m := arch.EfficientNetB0(arch.EfficientNetConfig{Classes: 3}, 32, 32, 3)
		exportRandomBN(t, m)
		checkExport(t, m, 16*4+2)
	})
	t.Run("convnext", func(t *testing.T) {
		checkExport(t, arch.ConvNeXt(arch.ConvNeXtConfig{Depths: [4]int{1, 1, 2, 1}, Dims: [4]int{8, 16, 24, 32}, Classes: 3}, 32, 32, 3), 5*5+2)
	})
	t.Run("vit", func(t *testing.T) {
		checkExport(t, arch.ViT(arch.ViTConfig{Dim: 32, Depth: 2, Heads: 2, Classes: 3}, 32, 32, 3), 2*6+2)
	})
}
