package retain

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/net"
)

// penaltyAndGrads evaluates a penalty and its gradient with respect to
// every trainable variable of m, by path.
func penaltyAndGrads(t *testing.T, m *net.Model, p Penalty) (float64, map[string][]float32) {
	t.Helper()
	backend, err := m.Backend()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	exec, err := model.NewExec(backend, m.Store, func(scope *model.Scope, x *graph.Node) []*graph.Node {
		g := x.Graph()
		total := graph.Add(p.Loss(scope, g), graph.ReduceAllSum(graph.MulScalar(x, 0)))
		var nodes []*graph.Node
		paths = nil
		for v := range scope.Store().RootScope().IterVariables() {
			if v.Trainable {
				paths = append(paths, v.Path())
				nodes = append(nodes, v.NodeValue(g))
			}
		}
		return append([]*graph.Node{total}, graph.Gradient(total, nodes...)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	outs := exec.MustCall(tensors.FromScalar(float32(1)))
	grads := map[string][]float32{}
	for i, path := range paths {
		grads[path] = tensors.MustCopyFlatData[float32](outs[i+1])
	}
	return float64(tensors.MustCopyFlatData[float32](outs[0])[0]), grads
}

// setAll sets every trainable variable of m to value(path, i) at flat index i.
func setAll(t *testing.T, m *net.Model, value func(path string, i int) float32) {
	t.Helper()
	for v := range m.Store.RootScope().IterVariables() {
		if !v.Trainable {
			continue
		}
		n := v.Shape().Size()
		flat := make([]float32, n)
		for i := range flat {
			flat[i] = value(v.Path(), i)
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(flat, v.Shape().Dimensions...)); err != nil {
			t.Fatal(err)
		}
	}
}

// L2-SP's definition (Li, Grandvalet & Davoine 2018):
// Ω(w) = α/2·‖w_S − w0_S‖² + β/2·‖w_head‖², gradient α·(w − w0) on the
// body and β·w on the head, checked on weights set by hand.
func TestL2SPKnownAnswer(t *testing.T) {
	m := arch.MLP("mlp", []int{3}, 2, 4) // dense1: 4x3 + 3, head: 3x2 + 2
	if _, err := m.Init(); err != nil {
		t.Fatal(err)
	}
	w0 := func(path string, i int) float32 { return 0.1 * float32(i+1) }
	setAll(t, m, w0)
	const alpha, beta = 0.5, 0.25
	p, err := L2SP(m, alpha, beta)
	if err != nil {
		t.Fatal(err)
	}
	// At the starting point only the head's term is left: the body's pull
	// and its gradient are zero there.
	at0, grads0 := penaltyAndGrads(t, m, p)
	var head0 float64
	for v := range m.Store.RootScope().IterVariables() {
		if !v.Trainable {
			continue
		}
		isHead := strings.HasPrefix(v.Path(), "/"+net.HeadName+"/")
		for i, g32 := range grads0[v.Path()] {
			w, g := float64(w0(v.Path(), i)), float64(g32)
			if isHead {
				head0 += beta / 2 * w * w
				if math.Abs(g-beta*w) > 1e-6 {
					t.Errorf("at w0, %s[%d]: gradient %v, want the head's β·w = %v", v.Path(), i, g, beta*w)
				}
			} else if g != 0 {
				t.Errorf("at w0, %s[%d]: gradient %v, want 0 (the body is at its starting point)", v.Path(), i, g)
			}
		}
	}
	if math.Abs(at0-head0) > 1e-6*math.Max(1, head0) {
		t.Errorf("at w0 the penalty is %v, want only the head's term %v", at0, head0)
	}
	delta := func(path string, i int) float32 { return 0.01 * float32(i%5+1) }
	setAll(t, m, func(path string, i int) float32 { return w0(path, i) + delta(path, i) })
	got, grads := penaltyAndGrads(t, m, p)
	var want float64
	seen := 0
	for v := range m.Store.RootScope().IterVariables() {
		if !v.Trainable {
			continue
		}
		head := strings.HasPrefix(v.Path(), "/"+net.HeadName+"/")
		g := grads[v.Path()]
		for i := range g {
			w := float64(w0(v.Path(), i) + delta(v.Path(), i))
			var wantGrad float64
			if head {
				want += beta / 2 * w * w
				wantGrad = beta * w
			} else {
				d := float64(delta(v.Path(), i))
				want += alpha / 2 * d * d
				wantGrad = alpha * d
			}
			if math.Abs(float64(g[i])-wantGrad) > 1e-6 {
				t.Errorf("gradient of %s[%d]: got %g, want %g", v.Path(), i, g[i], wantGrad)
			}
		}
		seen++
	}
	if seen != 4 {
		t.Errorf("checked %d trainable variables, want 4 (dense1 weights/bias, head weights/bias)", seen)
	}
	if math.Abs(got-want) > 1e-6*math.Max(1, want) {
		t.Errorf("L2-SP value: got %g, want %g", got, want)
	}
}

// The snapshot holds exactly the body's trainable parameters, under the
// paths the training graph's store knows them by: a mismatch would
// silently penalise nothing. BatchNorm's statistics are not in it.
func TestSnapshotCoversTheBody(t *testing.T) {
	m := arch.CNN("cnn", 3, true, 8, 8, 1)
	refs, err := snapshot(m)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for v := range m.Store.RootScope().IterVariables() {
		path := v.Path()
		if strings.HasPrefix(path, "/"+net.HeadName+"/") || strings.HasPrefix(path, "/tlx_optimizer") {
			if _, ok := refs[path]; ok {
				t.Errorf("snapshot holds %s", path)
			}
			continue
		}
		_, ok := refs[path]
		switch {
		case v.Trainable && !ok:
			t.Errorf("snapshot lacks the trainable body variable %s", path)
		case !v.Trainable && ok:
			t.Errorf("snapshot holds the statistic %s", path)
		case ok:
			want++
			if m.Store.GetVariable(path) == nil {
				t.Errorf("the store does not find %s", path)
			}
		}
	}
	if want == 0 || len(refs) != want {
		t.Errorf("snapshot has %d entries, %d of them trainable body variables", len(refs), want)
	}
}

// EWC's value is λ/2·Σ F·(w − w*)² and its gradient λ·F·(w − w*).
func TestEWCKnownAnswer(t *testing.T) {
	m := arch.MLP("mlp", []int{3}, 2, 4)
	if _, err := m.Init(); err != nil {
		t.Fatal(err)
	}
	w0 := func(path string, i int) float32 { return 0.1 * float32(i+1) }
	setAll(t, m, w0)
	at, err := snapshot(m)
	if err != nil {
		t.Fatal(err)
	}
	fisher := func(path string, i int) float32 { return float32(i%3) + 0.5 }
	f := &FisherInfo{At: at, Diag: map[string]*tensors.Tensor{}}
	for path, w := range at {
		n := w.Shape().Size()
		flat := make([]float32, n)
		for i := range flat {
			flat[i] = fisher(path, i)
		}
		f.Diag[path] = tensors.FromFlatDataAndDimensions(flat, w.Shape().Dimensions...)
	}
	const lambda = 3.0
	delta := func(path string, i int) float32 { return 0.02 * float32(i%4+1) }
	setAll(t, m, func(path string, i int) float32 { return w0(path, i) + delta(path, i) })
	got, grads := penaltyAndGrads(t, m, EWC(f, lambda))
	var want float64
	for path := range at {
		for i, g := range grads[path] {
			d, fi := float64(delta(path, i)), float64(fisher(path, i))
			want += lambda / 2 * fi * d * d
			if math.Abs(float64(g)-lambda*fi*d) > 1e-5 {
				t.Errorf("gradient of %s[%d]: got %g, want %g", path, i, g, lambda*fi*d)
			}
		}
	}
	for path, g := range grads {
		if _, ok := at[path]; !ok {
			for i := range g {
				if g[i] != 0 {
					t.Errorf("EWC moves %s, which is not in the body", path)
					break
				}
			}
		}
	}
	if math.Abs(got-want) > 1e-5*math.Max(1, want) {
		t.Errorf("EWC value: got %g, want %g", got, want)
	}
}

// RestoreStatistics copies the BatchNorm averages and nothing else.
func TestRestoreStatistics(t *testing.T) {
	src, dst := arch.CNN("cnn", 3, true, 8, 8, 1), arch.CNN("cnn", 3, true, 8, 8, 1)
	dst.Seed = 2
	for _, m := range []*net.Model{src, dst} {
		if _, err := m.Init(); err != nil {
			t.Fatal(err)
		}
	}
	setAll(t, src, func(string, int) float32 { return 0.5 })
	for v := range src.Store.RootScope().IterVariables() {
		if !v.Trainable {
			flat := make([]float32, v.Shape().Size())
			for i := range flat {
				flat[i] = 3
			}
			if err := v.SetValue(tensors.FromFlatDataAndDimensions(flat, v.Shape().Dimensions...)); err != nil {
				t.Fatal(err)
			}
		}
	}
	before, err := dst.Values()
	if err != nil {
		t.Fatal(err)
	}
	if err := RestoreStatistics(dst, src); err != nil {
		t.Fatal(err)
	}
	after, err := dst.Values()
	if err != nil {
		t.Fatal(err)
	}
	stats := 0
	for path, w := range after {
		got := tensors.MustCopyFlatData[float32](w)
		if strings.HasSuffix(path, "/mean") || strings.HasSuffix(path, "/variance") {
			stats++
			if got[0] != 3 {
				t.Errorf("%s: got %v, want the source's 3", path, got[0])
			}
		} else if want := tensors.MustCopyFlatData[float32](before[path]); got[0] != want[0] {
			t.Errorf("%s changed from %v to %v: only statistics may be copied", path, want[0], got[0])
		}
	}
	if stats == 0 {
		t.Error("no statistics found in the CNN")
	}
}
