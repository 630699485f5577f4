package arch

import (
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/internal/testutil"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/safetensors"
)

// A torchvision ResNet-18 (random weights, non-trivial BatchNorm
// statistics) exported by Debian's PyTorch must give the same logits in
// tlx's ResNet: same layout, padding, pooling, BatchNorm and classifier.
func TestResNet18MatchesTorchvision(t *testing.T) {
	dir := t.TempDir()
	out, err := exec.Command("/usr/bin/python3", "testdata/export_torchvision.py", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("exporting torchvision resnet18 (apt-get install python3-torchvision): %v\n%s", err, out)
	}
	m := ResNet(ResNetConfig{Depth: 18, Width: 64, Classes: 10}, 64, 64, 3)
	if err := LoadTorchvisionResNet(m, filepath.Join(dir, "resnet18.safetensors")); err != nil {
		t.Fatal(err)
	}
	io, err := safetensors.ReadFile(filepath.Join(dir, "io.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	x, _ := io.Tensors["input"].Float32s()
	want, _ := io.Tensors["logits"].Float32s()
	y, err := m.Output(tensors.FromFlatDataAndDimensions(x, io.Tensors["input"].Shape...), "")
	if err != nil {
		t.Fatal(err)
	}
	got := tensors.MustCopyFlatData[float32](y)
	worst, scale := testutil.MaxDiff(got, want)
	t.Logf("max |tlx - torchvision| = %.3g over logits up to %.3g", worst, scale)
	if worst > 1e-4*math.Max(scale, 1) {
		t.Errorf("logits differ from torchvision's by up to %.3g (scale %.3g)", worst, scale)
	}

	// One SGD step in training mode (BatchNorm on batch statistics) must
	// move the weights as PyTorch's step does.
	labels, _ := io.Tensors["labels"].Float32s()
	y32 := make([]int32, len(labels))
	for i, v := range labels {
		y32[i] = int32(v)
	}
	step, err := fit.NewTrainStep(m, fit.SGD(0), 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := step.Step(tensors.FromFlatDataAndDimensions(x, io.Tensors["input"].Shape...), tensors.FromFlatDataAndDimensions(y32, len(y32))); err != nil {
		t.Fatal(err)
	}
	after := ResNet(ResNetConfig{Depth: 18, Width: 64, Classes: 10}, 64, 64, 3)
	if err := LoadTorchvisionResNet(after, filepath.Join(dir, "step.safetensors")); err != nil {
		t.Fatal(err)
	}
	before := ResNet(ResNetConfig{Depth: 18, Width: 64, Classes: 10}, 64, 64, 3)
	if err := LoadTorchvisionResNet(before, filepath.Join(dir, "resnet18.safetensors")); err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, group := range []string{"stem", "layer2", "layer4", "head"} {
		ours, _ := m.GroupValues(group)
		theirs, _ := after.GroupValues(group)
		start, _ := before.GroupValues(group)
		for path, w := range theirs {
			if strings.HasSuffix(path, "/mean") || strings.HasSuffix(path, "/variance") {
				continue // running statistics: PyTorch's use the unbiased variance
			}
			var diff, moved float64
			for i := range w {
				diff = math.Max(diff, math.Abs(float64(ours[path][i]-w[i])))
				moved = math.Max(moved, math.Abs(float64(w[i]-start[path][i])))
			}
			if moved > 0 && diff > 1e-3*moved+1e-7 {
				t.Errorf("%s after one SGD step: differs from PyTorch by %.3g; the step itself is %.3g", path, diff, moved)
			}
			if moved > 0 {
				compared++
			}
		}
	}
	if compared < 20 {
		t.Errorf("only %d updated variables compared", compared)
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
	dir := t.TempDir()
	out, err := exec.Command("/usr/bin/python3", "testdata/export_torchvision.py", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("exporting torchvision mobilenet_v2: %v\n%s", err, out)
	}
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
