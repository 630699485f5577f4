package arch

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/internal/testutil"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/safetensors"
)

// oracle is one PyTorch export (of export_imagenet.py unless base says
// otherwise): NAME.safetensors
// (weights), NAME_io (input, logits, labels) and, for the step, NAME_step,
// NAME_step_eps and NAME_step_flips.
type oracle struct {
	dir, name string
	io        *safetensors.File
	// base names the file of a suffix ("", "_io", "_step", ...); nil: name+suffix.
	base func(suffix string) string
}

func newOracle(t *testing.T, set *testutil.FixtureSet, name string) *oracle {
	t.Helper()
	return openOracle(t, set, name, nil)
}

// openOracle is newOracle with other file names (see oracle.base).
func openOracle(t *testing.T, set *testutil.FixtureSet, name string, base func(string) string) *oracle {
	t.Helper()
	o := &oracle{name: name, base: base}
	o.dir = filepath.Dir(set.Path(t, filepath.Base(o.file(""))))
	io, err := safetensors.ReadFile(o.file("_io"))
	if err != nil {
		t.Fatal(err)
	}
	o.io = io
	return o
}

// file is the path of the oracle's file with the given suffix.
func (o *oracle) file(suffix string) string {
	name := o.name + suffix
	if o.base != nil {
		name = o.base(suffix)
	}
	return filepath.Join(o.dir, name+".safetensors")
}

// input is the oracle's input batch (NHWC).
func (o *oracle) input() *tensors.Tensor {
	x, _ := o.io.Tensors["input"].Float32s()
	return tensors.FromFlatDataAndDimensions(x, o.io.Tensors["input"].Shape...)
}

// checkLogits compares m's inference-mode logits with PyTorch's, as the
// ResNet-18 test does: within 1e-4 of the logits' scale (at least 1).
func (o *oracle) checkLogits(t *testing.T, m *net.Model, what string) {
	t.Helper()
	want, _ := o.io.Tensors["logits"].Float32s()
	y, err := m.Output(o.input(), "")
	if err != nil {
		t.Fatal(err)
	}
	got := tensors.MustCopyFlatData[float32](y)
	worst, scale := testutil.MaxDiff(got, want)
	t.Logf("%s: max |tlx - PyTorch| = %.3g over logits up to %.3g", what, worst, scale)
	if worst > 1e-4*math.Max(scale, 1) {
		t.Errorf("%s: logits differ from PyTorch's by up to %.3g (scale %.3g)", what, worst, scale)
	}
}

// checkStep takes one SGD step (lr 0.01, training mode) on m, loaded with
// the oracle's weights by load, and compares every updated variable with
// PyTorch's float64 step under the bound of TestResNet18MatchesTorchvision
// (see the reasoning there): roundingFactor times PyTorch's own float32
// error of the step, plus the per-element effect of ReLU and max-pool
// kinks closer than float32's error (export_torchvision.py's flip_bounds),
// plus one ulp. build makes a fresh model of the same architecture.
// BatchNorm running statistics are not compared (PyTorch's use the
// unbiased variance). It returns the number of variables the step moved.
func (o *oracle) checkStep(t *testing.T, m *net.Model, build func() *net.Model, load func(*net.Model, string) error) int {
	t.Helper()
	const roundingFactor = 10
	labels, _ := o.io.Tensors["labels"].Float32s()
	y32 := make([]int32, len(labels))
	for i, v := range labels {
		y32[i] = int32(v)
	}
	step, err := fit.NewTrainStep(m, fit.SGD(0), 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := step.Step(o.input(), tensors.FromFlatDataAndDimensions(y32, len(y32))); err != nil {
		t.Fatal(err)
	}
	loaded := func(suffix string) *net.Model {
		r := build()
		if err := load(r, o.file(suffix)); err != nil {
			t.Fatal(err)
		}
		return r
	}
	after, before, eps, flips := loaded("_step"), loaded(""), loaded("_step_eps"), loaded("_step_flips")
	compared := 0
	worstRounding := 0.0
	for _, group := range m.GroupNames() {
		values := func(m *net.Model) map[string][]float32 {
			v, err := m.GroupValues(group)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		ours, theirs, start, epsOf, flipsOf := values(m), values(after), values(before), values(eps), values(flips)
		for path, w := range theirs {
			if strings.HasSuffix(path, "/mean") || strings.HasSuffix(path, "/variance") {
				continue
			}
			var moved, worst, worstAllowed float64
			for i := range w {
				moved = math.Max(moved, math.Abs(float64(w[i]-start[path][i])))
				diff := math.Abs(float64(ours[path][i]) - float64(w[i]))
				ulp := float64(math.Nextafter32(float32(math.Abs(float64(w[i]))), float32(math.Inf(1)))) - math.Abs(float64(w[i]))
				allowed := roundingFactor*float64(epsOf[path][i]) + float64(flipsOf[path][i]) + ulp
				if diff-allowed > worst-worstAllowed {
					worst, worstAllowed = diff, allowed
				}
				if e := float64(epsOf[path][i]); e > 0 {
					worstRounding = math.Max(worstRounding, (diff-float64(flipsOf[path][i])-ulp)/e)
				}
			}
			if worst > worstAllowed {
				t.Errorf("%s after one SGD step: differs from PyTorch by %.3g, allowed %.3g there; the step itself is up to %.3g", path, worst, worstAllowed, moved)
			}
			if moved > 0 {
				compared++
			}
		}
	}
	t.Logf("%s: largest rounding difference after one SGD step: %.3g times PyTorch's own float32 error (allowed %d), %d variables moved", o.name, worstRounding, roundingFactor, compared)
	return compared
}
