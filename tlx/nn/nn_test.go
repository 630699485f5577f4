package nn

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

var (
	backendOnce sync.Once
	theBackend  compute.Backend
)

// backend is one Go backend for the whole test binary: tensors cannot move
// between backend instances.
func backend(t *testing.T) compute.Backend {
	t.Helper()
	backendOnce.Do(func() {
		var err error
		if theBackend, err = compute.NewWithConfig("go"); err != nil {
			panic(err)
		}
	})
	return theBackend
}

func randomTensor(rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := make([]float64, n)
	for i := range data {
		data[i] = rng.NormFloat64()
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

func flat(t *tensors.Tensor) []float64 { return tensors.MustCopyFlatData[float64](t) }

// call runs fn on the given inputs and returns its outputs' flat data.
func call(t *testing.T, fn func(in []*graph.Node) []*graph.Node, in ...*tensors.Tensor) [][]float64 {
	t.Helper()
	return callIn(t, model.NewStore(), func(_ *Ctx, in []*graph.Node) []*graph.Node { return fn(in) }, in...)
}

// callIn runs fn with a context on store (BatchStats on).
func callIn(t *testing.T, store *model.Store, fn func(c *Ctx, in []*graph.Node) []*graph.Node, in ...*tensors.Tensor) [][]float64 {
	t.Helper()
	exec, err := model.NewExec(backend(t), store, func(scope *model.Scope, in []*graph.Node) []*graph.Node {
		return fn(&Ctx{Scope: scope, BatchStats: true}, in)
	})
	if err != nil {
		t.Fatal(err)
	}
	args := make([]any, len(in))
	for i, x := range in {
		args[i] = x
	}
	outs, err := exec.Call(args...)
	if err != nil {
		t.Fatal(err)
	}
	res := make([][]float64, len(outs))
	for i, o := range outs {
		res[i] = flat(o)
	}
	return res
}

func assertClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	worst := 0.0
	for i := range got {
		d := math.Abs(got[i]-want[i]) / max(1, math.Abs(want[i]))
		worst = max(worst, d)
	}
	if worst > tol {
		t.Errorf("%s: largest relative difference %.3g > %.3g", what, worst, tol)
	}
}

// gradCheck compares graph.Gradient of sum(f(x...) * r) with central finite
// differences at every input entry (inputs are small).
func gradCheck(t *testing.T, name string, f func(in []*graph.Node) *graph.Node, in ...*tensors.Tensor) {
	t.Helper()
	gradCheckIn(t, name, func(_ *Ctx, in []*graph.Node) *graph.Node { return f(in) }, in...)
}

// gradCheckIn is gradCheck for a layer that needs a context (a fresh store).
func gradCheckIn(t *testing.T, name string, f func(c *Ctx, in []*graph.Node) *graph.Node, in ...*tensors.Tensor) {
	t.Helper()
	store := model.NewStore()
	rng := rand.New(rand.NewPCG(9, 9))
	out := callIn(t, store, func(c *Ctx, x []*graph.Node) []*graph.Node { return []*graph.Node{f(c, x)} }, in...)[0]
	weights := make([]float64, len(out))
	for i := range weights {
		weights[i] = rng.NormFloat64()
	}
	loss := func(c *Ctx, x []*graph.Node) *graph.Node {
		y := f(c, x)
		r := graph.Reshape(graph.Const(y.Graph(), weights), y.Shape().Dimensions...)
		return graph.ReduceAllSum(graph.Mul(y, r))
	}
	grads := callIn(t, store, func(c *Ctx, x []*graph.Node) []*graph.Node { return graph.Gradient(loss(c, x), x...) }, in...)
	lossExec, err := model.NewExec(backend(t), store, func(scope *model.Scope, x []*graph.Node) *graph.Node {
		return loss(&Ctx{Scope: scope, BatchStats: true}, x)
	})
	if err != nil {
		t.Fatal(err)
	}
	eval := func(args []*tensors.Tensor) float64 {
		a := make([]any, len(args))
		for i := range args {
			a[i] = args[i]
		}
		return flat(lossExec.MustCall1(a...))[0]
	}
	const h = 1e-5
	for i, x := range in {
		base := flat(x)
		numeric := make([]float64, len(base))
		for j := range base {
			shifted := func(delta float64) []*tensors.Tensor {
				args := make([]*tensors.Tensor, len(in))
				copy(args, in)
				data := append([]float64(nil), base...)
				data[j] += delta
				args[i] = tensors.FromFlatDataAndDimensions(data, x.Shape().Dimensions...)
				return args
			}
			numeric[j] = (eval(shifted(h)) - eval(shifted(-h))) / (2 * h)
		}
		assertClose(t, name+" gradient of input "+string(rune('0'+i)), grads[i], numeric, 1e-6)
	}
}

func TestConvolve2DMatchesBuiltin(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct{ h, w, cin, cout, k, s int }{
		{7, 7, 3, 4, 3, 1}, {8, 8, 2, 5, 3, 2}, {7, 6, 3, 2, 1, 2}, {9, 9, 2, 3, 5, 2}, {6, 6, 3, 4, 7, 2},
	} {
		x := randomTensor(rng, 2, tc.h, tc.w, tc.cin)
		k := randomTensor(rng, tc.k, tc.k, tc.cin, tc.cout)
		out := call(t, func(in []*graph.Node) []*graph.Node {
			ours := Convolve2D(in[0], in[1], tc.s)
			p := tc.k / 2
			builtin := graph.Convolve(in[0], in[1]).StridePerAxis(tc.s, tc.s).PaddingPerDim([][2]int{{p, p}, {p, p}}).Done()
			return []*graph.Node{ours, builtin}
		}, x, k)
		assertClose(t, "conv vs built-in", out[0], out[1], 1e-9)
	}
}

func TestConvolve2DGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	gradCheck(t, "conv s1", func(in []*graph.Node) *graph.Node { return Convolve2D(in[0], in[1], 1) },
		randomTensor(rng, 1, 5, 5, 2), randomTensor(rng, 3, 3, 2, 3))
	gradCheck(t, "conv s2", func(in []*graph.Node) *graph.Node { return Convolve2D(in[0], in[1], 2) },
		randomTensor(rng, 2, 6, 6, 2), randomTensor(rng, 3, 3, 2, 2))
}

func TestDepthwiseMatchesBuiltinAndGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := randomTensor(rng, 2, 7, 7, 4)
	k := randomTensor(rng, 3, 3, 4)
	for _, s := range []int{1, 2} {
		out := call(t, func(in []*graph.Node) []*graph.Node {
			ours := DepthwiseConvolve2D(in[0], in[1], s)
			kernel := graph.Reshape(in[1], 3, 3, 1, 4)
			builtin := graph.Convolve(in[0], kernel).ChannelGroupCount(4).StridePerAxis(s, s).PaddingPerDim([][2]int{{1, 1}, {1, 1}}).Done()
			return []*graph.Node{ours, builtin}
		}, x, k)
		assertClose(t, "depthwise vs built-in", out[0], out[1], 1e-9)
	}
	gradCheck(t, "depthwise", func(in []*graph.Node) *graph.Node { return DepthwiseConvolve2D(in[0], in[1], 2) },
		randomTensor(rng, 1, 5, 5, 2), randomTensor(rng, 3, 3, 2))
}

func TestMaxPoolMatchesBuiltinAndGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	x := randomTensor(rng, 2, 8, 8, 3)
	out := call(t, func(in []*graph.Node) []*graph.Node {
		return []*graph.Node{
			MaxPool(in[0], 2, 2), graph.MaxPool(in[0]).Window(2).Strides(2).Done(),
			MaxPool(in[0], 3, 2), graph.MaxPool(graph.Pad(in[0], graph.Scalar(in[0].Graph(), in[0].DType(), math.Inf(-1)), graph.PadAxis{},
				graph.PadAxis{Start: 1, End: 1}, graph.PadAxis{Start: 1, End: 1}, graph.PadAxis{})).Window(3).Strides(2).Done(),
		}
	}, x)
	assertClose(t, "max-pool 2x2 vs built-in", out[0], out[1], 0)
	assertClose(t, "max-pool 3x3/2 vs built-in", out[2], out[3], 0)
	// Random normal inputs have no ties, so the gradient is well defined.
	gradCheck(t, "max-pool 2", func(in []*graph.Node) *graph.Node { return MaxPool(in[0], 2, 2) }, randomTensor(rng, 1, 4, 4, 2))
	gradCheck(t, "max-pool 3/2", func(in []*graph.Node) *graph.Node { return MaxPool(in[0], 3, 2) }, randomTensor(rng, 1, 5, 5, 2))
}

func TestBatchNormGradientThroughBatchStatistics(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	gradCheckIn(t, "batch norm", func(c *Ctx, in []*graph.Node) *graph.Node { return BatchNorm(c.In("bn"), in[0]) },
		randomTensor(rng, 3, 2, 2, 2))
}

func TestBatchNormModes(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	x := randomTensor(rng, 4, 3, 3, 2)
	xs := flat(x)
	store := model.NewStore()
	run := func(batchStats bool) []float64 {
		exec, err := model.NewExec(backend(t), store, func(scope *model.Scope, in *graph.Node) *graph.Node {
			store.SetTraining(in.Graph(), true) // variables as parameters, so updates are seen
			return BatchNorm(&Ctx{Scope: scope.At("bn"), BatchStats: batchStats}, in)
		})
		if err != nil {
			t.Fatal(err)
		}
		return flat(exec.MustCall1(x))
	}
	// Inference with fresh averages (mean 0, variance 1) is the identity.
	assertClose(t, "inference before training", run(false), xs, 1e-4)
	// A training step normalises per channel and moves the averages 10%.
	y := run(true)
	for ch := range 2 {
		var sum, sq float64
		for i := ch; i < len(y); i += 2 {
			sum += y[i]
			sq += y[i] * y[i]
		}
		n := float64(len(y) / 2)
		if mean, variance := sum/n, sq/n-(sum/n)*(sum/n); math.Abs(mean) > 1e-9 || math.Abs(variance-1) > 1e-3 {
			t.Errorf("channel %d after batch norm: mean %.3g variance %.3g, want 0 and 1", ch, mean, variance)
		}
	}
	var mean0 float64
	for i := 0; i < len(xs); i += 2 {
		mean0 += xs[i]
	}
	mean0 /= float64(len(xs) / 2)
	got := flat(store.GetVariable("/bn/mean").MustValue())[0]
	if want := 0.1 * mean0; math.Abs(got-want) > 1e-9 {
		t.Errorf("moving mean after one step = %g, want %g (10%% of the batch mean)", got, want)
	}
	if v := store.GetVariable("/bn/mean"); v.Trainable {
		t.Error("moving mean is trainable")
	}
}
