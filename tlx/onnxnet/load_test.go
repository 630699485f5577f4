package onnxnet

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/internal/testutil"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/safetensors"
)

// fixtures exports the PyTorch oracles once per test binary.
var fixtures = testutil.Fixtures("apt-get install python3-torch python3-torchvision", "/usr/bin/python3", "testdata/export_models.py")

// oracle reads a model's io file: the NHWC input tensor, the logits, the labels.
func oracle(t *testing.T, name string) (x *tensors.Tensor, nchw *tensors.Tensor, logits []float32, labels []int32) {
	t.Helper()
	f, err := safetensors.ReadFile(fixtures.Path(t, name+"_io.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	in := f.Tensors["input"]
	data, _ := in.Float32s()
	nhwc, shape := testutil.NCHWToNHWC(data, in.Shape)
	logits, _ = f.Tensors["logits"].Float32s()
	l, _ := f.Tensors["labels"].Float32s()
	for _, v := range l {
		labels = append(labels, int32(v))
	}
	return tensors.FromFlatDataAndDimensions(nhwc, shape...),
		tensors.FromFlatDataAndDimensions(data, in.Shape...), logits, labels
}

// maxRelDiff is max|a-b| / max(max|b|, 1).
func maxRelDiff(a, b []float32) (diff, scale float64) {
	diff, scale = testutil.MaxDiff(a, b)
	return diff / math.Max(scale, 1), scale
}

// Models exported by PyTorch compute PyTorch's logits in tlx, with
// BatchNorm folded (the usual export) and kept, and are cut into the
// modules' groups.
func TestLoadMatchesPyTorch(t *testing.T) {
	wantGroups := map[string][]string{
		"smallcnn":     {"conv1", "bn1", "pool", "conv2", "head"},
		"resnet18":     {"conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "head"},
		"mobilenet_v2": {"features.0", "features.1", "features.17", "features.18", "head"},
	}
	for _, name := range []string{"smallcnn", "resnet18", "mobilenet_v2"} {
		for _, variant := range []string{"", "_bn"} {
			t.Run(name+variant, func(t *testing.T) {
				m, err := Load(fixtures.Path(t, name+variant+".onnx"), Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("groups: %v", m.GroupNames())
				for _, g := range wantGroups[name] {
					if variant == "" && (g == "bn1") {
						continue // folded into conv1 by the exporter
					}
					if !slices.Contains(m.GroupNames(), g) {
						t.Errorf("no group %q in %v", g, m.GroupNames())
					}
				}
				x, _, want, _ := oracle(t, name)
				y, err := m.Output(x, "")
				if err != nil {
					t.Fatal(err)
				}
				got := tensors.MustCopyFlatData[float32](y)
				diff, scale := maxRelDiff(got, want)
				t.Logf("max relative difference to PyTorch %.2g (logits up to %.2g)", diff, scale)
				if diff > 1e-4 {
					t.Errorf("logits differ from PyTorch's by %.2g relative (want <= 1e-4)", diff)
				}
			})
		}
	}
}

// One SGD step on an imported model moves every parameter as PyTorch's own
// step does (eval mode: BatchNorm on its statistics, which stay fixed).
func TestSGDStepMatchesPyTorch(t *testing.T) {
	for _, name := range []string{"smallcnn", "resnet18"} {
		t.Run(name, func(t *testing.T) {
			m, err := Load(fixtures.Path(t, name+"_bn.onnx"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			x, _, _, labels := oracle(t, name)
			before, err := m.Values()
			if err != nil {
				t.Fatal(err)
			}
			step, err := fit.NewTrainStep(m, fit.SGD(0), 0.1)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := step.Step(x, tensors.FromFlatDataAndDimensions(labels, len(labels))); err != nil {
				t.Fatal(err)
			}
			after, err := safetensors.ReadFile(fixtures.Path(t, name+"_step.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			src := m.Origin.(*Source)
			compared, worst, moved := 0, 0.0, 0.0
			for _, g := range m.Groups {
				for _, v := range m.Variables(g.Name) {
					init := src.Groups[g].Variables[v.Path()]
					want, ok := after.Tensors[init]
					if m.Statistics[v.Path()] {
						continue
					}
					if !ok {
						t.Errorf("variable %s (initializer %q) has no PyTorch parameter", v.Path(), init)
						continue
					}
					wv, _ := want.Float32s()
					got := tensors.MustCopyFlatData[float32](v.MustValue())
					d, _ := maxRelDiff(got, wv)
					worst = math.Max(worst, d)
					d, _ = maxRelDiff(tensors.MustCopyFlatData[float32](before[v.Path()]), wv)
					moved = math.Max(moved, d)
					compared++
				}
			}
			t.Logf("%d parameters compared after one SGD step, max relative difference %.2g (the step moved them by up to %.2g)", compared, worst, moved)
			if moved < 100*worst {
				t.Errorf("the step moved weights by %.2g, not clearly more than the difference to PyTorch %.2g", moved, worst)
			}
			if compared != len(after.Tensors) {
				t.Errorf("compared %d parameters, PyTorch has %d", compared, len(after.Tensors))
			}
			if worst > 1e-4 {
				t.Errorf("updated weights differ from PyTorch's by %.2g relative", worst)
			}
		})
	}
}

// Freezing by the exporter's module names reaches the ONNX weights, and
// BatchNorm statistics are never trainable.
func TestFreezeImportedGroups(t *testing.T) {
	m, err := Load(fixtures.Path(t, "resnet18_bn.onnx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Freeze("layer*"); err != nil {
		t.Fatal(err)
	}
	m.ApplyTrainable()
	var frozen, trainable, stats int
	for _, g := range m.Groups {
		for _, v := range m.Variables(g.Name) {
			switch {
			case m.Statistics[v.Path()]:
				stats++
				if v.Trainable {
					t.Errorf("statistic %s is trainable", v.Path())
				}
			case strings.HasPrefix(g.Name, "layer"):
				frozen++
				if v.Trainable {
					t.Errorf("%s in frozen group %s is trainable", v.Path(), g.Name)
				}
			default:
				trainable++
				if !v.Trainable {
					t.Errorf("%s in group %s is not trainable", v.Path(), g.Name)
				}
			}
		}
	}
	if frozen == 0 || trainable == 0 || stats == 0 {
		t.Errorf("frozen %d, trainable %d, statistics %d: want all > 0", frozen, trainable, stats)
	}
	if s := m.Summary().String(); !strings.Contains(s, "layer4") {
		t.Errorf("summary lacks layer4:\n%s", s)
	}
	_ = net.HeadName
}

// Any intermediate tensor can be the model's output: the pooled features
// of a ResNet as an embedding.
func TestLoadIntermediateOutput(t *testing.T) {
	m, err := Load(fixtures.Path(t, "resnet18.onnx"), Options{Output: "/avgpool/GlobalAveragePool_output_0"})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(m.GroupNames(), "head") {
		t.Errorf("groups %v: the classifier should be cut off", m.GroupNames())
	}
	x, _, _, _ := oracle(t, "resnet18")
	y, err := m.Output(x, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := y.Shape().Dimensions; !slices.Equal(got, []int{4, 512, 1, 1}) {
		t.Errorf("embedding shape %v, want [4 512 1 1]", got)
	}
	if _, err := Load(fixtures.Path(t, "resnet18.onnx"), Options{Output: "no-such-tensor"}); err == nil || !strings.Contains(err.Error(), "no-such-tensor") {
		t.Errorf("unknown output tensor: %v", err)
	}
}
