package arch

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/internal/testutil"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/safetensors"
)

// fixtures are the PyTorch oracles of export_torchvision.py, generated once
// per test binary.
var fixtures = testutil.Fixtures("apt-get install python3-torch python3-torchvision", "/usr/bin/python3", "testdata/export_torchvision.py")

// A torchvision ResNet-18 (random weights, non-trivial BatchNorm
// statistics) exported by Debian's PyTorch must give the same logits in
// tlx's ResNet: same layout, padding, pooling, BatchNorm and classifier.
func TestResNet18MatchesTorchvision(t *testing.T) {
	// export_torchvision.py names its ResNet-18 files resnet18, io, step,
	// step_eps and step_flips.
	o := openOracle(t, fixtures, "resnet18", func(suffix string) string {
		if suffix == "" {
			return "resnet18"
		}
		return strings.TrimPrefix(suffix, "_")
	})
	build := func() *net.Model { return ResNet(ResNetConfig{Depth: 18, Width: 64, Classes: 10}, 64, 64, 3) }
	m := build()
	if err := LoadTorchvisionResNet(m, o.file("")); err != nil {
		t.Fatal(err)
	}
	o.checkLogits(t, m, "resnet18")

	// One SGD step in training mode (BatchNorm on batch statistics) must
	// move the weights as PyTorch's step does, computed in float64, within
	// what float32 allows: roundingFactor times PyTorch's own float32 error
	// of the step, plus, per element, how much the step moves when an input
	// closer to a ReLU kink or a max-pool tie than float32's rounding error
	// falls on the other side (see export_torchvision.py's flip_bounds),
	// plus one float32 ulp of the weight (oracle.checkStep).
	//
	// The kinks matter: without them this test failed on CPUs with AVX-512
	// (the Go backend's float32 rounding there differs) because one input of
	// layer2/block1/a's ReLU, -8.9e-7 in float64, came out +1.6e-6 (AVX2:
	// -8.6e-7, PyTorch float32: -5.6e-7; its rms float32 error there is
	// 1.6e-6): that element's gradient then flowed, which moved that layer's
	// step by 2.7% and every earlier layer's by ~0.4%.
	//
	// roundingFactor (10) allows for other summation orders than PyTorch's
	// (im2col matrix products of up to 4608 terms, batch statistics of up to
	// 4096): float32 summation error grows with the number of terms in an
	// order-dependent way.
	if n := o.checkStep(t, m, build, LoadTorchvisionResNet); n < 40 {
		t.Errorf("only %d updated variables compared", n)
	}
}

func TestTorchvisionNames(t *testing.T) {
	for name, want := range map[string]string{
		"conv1.weight":                     "stem/conv/weights",
		"bn1.running_var":                  "stem/bn/variance",
		"layer3.1.conv2.weight":            "layer3/block1/b/conv/weights",
		"layer2.0.downsample.1.weight":     "layer2/block0/down/bn/gamma",
		"fc.bias":                          "head/bias",
		"layer1.0.bn1.num_batches_tracked": "",
	} {
		if got := TorchvisionName(name); got != want {
			t.Errorf("TorchvisionName(%q) = %q, want %q", name, got, want)
		}
	}
}

// torchvision's MobileNetV2, and the same weights under timm's names, give
// PyTorch's logits in tlx's MobileNetV2.
func TestMobileNetV2MatchesTorchvisionAndTimm(t *testing.T) {
	dir := filepath.Dir(fixtures.Path(t, "mobilenet_io.safetensors"))
	io, err := safetensors.ReadFile(filepath.Join(dir, "mobilenet_io.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	x, _ := io.Tensors["input"].Float32s()
	want, _ := io.Tensors["logits"].Float32s()
	for file, load := range map[string]func(m *net.Model, path string) error{
		"mobilenet_v2.safetensors":      LoadTorchvisionMobileNetV2,
		"mobilenet_v2_timm.safetensors": LoadTimmMobileNetV2,
	} {
		m := MobileNetV2(MobileNetV2Config{Classes: 10}, 64, 64, 3)
		if err := load(m, filepath.Join(dir, file)); err != nil {
			t.Fatal(err)
		}
		y, err := m.Output(tensors.FromFlatDataAndDimensions(x, io.Tensors["input"].Shape...), "")
		if err != nil {
			t.Fatal(err)
		}
		got := tensors.MustCopyFlatData[float32](y)
		worst, scale := testutil.MaxDiff(got, want)
		t.Logf("%s: max |tlx - PyTorch| = %.3g over logits up to %.3g", file, worst, scale)
		if worst > 1e-4*math.Max(scale, 1) {
			t.Errorf("%s: logits differ from PyTorch's by up to %.3g", file, worst)
		}
	}
}
