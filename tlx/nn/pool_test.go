package nn

import (
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/internal/testutil"
	"github.com/tlx-go/tlx/tlx/safetensors"
)

var fixtures = testutil.Fixtures("apt-get install python3-torch", "/usr/bin/python3", "testdata/export_maxpool.py")

// On windows with tied maxima (small integers, all-zero windows as after
// a ReLU) MaxPool's output and gradient are PyTorch's max_pool2d's: each
// window's gradient goes to its first maximum, not to every tied one.
func TestMaxPoolTiesMatchPyTorch(t *testing.T) {
	file, err := safetensors.ReadFile(fixtures.Path(t, "maxpool_ties.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) *tensors.Tensor {
		st, ok := file.Tensors[name]
		if !ok {
			t.Fatalf("fixture has no %q", name)
		}
		v, err := st.Float32s()
		if err != nil {
			t.Fatal(err)
		}
		f64 := make([]float64, len(v))
		for i, x := range v {
			f64[i] = float64(x)
		}
		return tensors.FromFlatDataAndDimensions(f64, st.Shape...)
	}
	x := get("input")
	for _, k := range []int{2, 3} {
		suffix := string(rune('0' + k))
		out := call(t, func(in []*graph.Node) []*graph.Node {
			y := MaxPool(in[0], k, 2)
			loss := graph.ReduceAllSum(graph.Mul(y, in[1]))
			return []*graph.Node{y, graph.Gradient(loss, in[0])[0]}
		}, x, get("cotangent"+suffix))
		// Small integers and sums of one float32 cotangent each: exact.
		assertClose(t, "max-pool "+suffix+" output", out[0], flat(get("output"+suffix)), 0)
		assertClose(t, "max-pool "+suffix+" gradient", out[1], flat(get("grad"+suffix)), 1e-6)
	}
}

// ReduceMaxFirst gives each group's gradient to its first maximum: rows
// [0 0 0 0], [1 1 0 0], [3 0 3 0], [0 2 5 5] get [1 0 0 0], [1 0 0 0],
// [1 0 0 0], [0 0 1 0] (graph.ReduceMax gives [1 1 1 1], [1 1 0 0], ...).
// Over two axes (a 2×2 image per channel, NHWC) the first is row-major.
func TestReduceMaxFirstTies(t *testing.T) {
	rows := tensors.FromFlatDataAndDimensions([]float64{0, 0, 0, 0, 1, 1, 0, 0, 3, 0, 3, 0, 0, 2, 5, 5}, 4, 4)
	out := call(t, func(in []*graph.Node) []*graph.Node {
		y := ReduceMaxFirst(in[0], 1)
		return []*graph.Node{y, graph.Gradient(graph.ReduceAllSum(y), in[0])[0]}
	}, rows)
	assertClose(t, "maxima", out[0], []float64{0, 1, 3, 5}, 0)
	assertClose(t, "gradient", out[1], []float64{1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0}, 0)

	// [1, 2, 2, 2] NHWC: channel 0 is flat (all 7), channel 1 peaks at (1, 0).
	img := tensors.FromFlatDataAndDimensions([]float64{7, 0, 7, 1, 7, 4, 7, 2}, 1, 2, 2, 2)
	out = call(t, func(in []*graph.Node) []*graph.Node {
		y := ReduceMaxFirst(in[0], 1, 2)
		return []*graph.Node{y, graph.Gradient(graph.ReduceAllSum(y), in[0])[0]}
	}, img)
	assertClose(t, "global maxima", out[0], []float64{7, 4}, 0)
	assertClose(t, "global gradient", out[1], []float64{1, 0, 0, 0, 0, 1, 0, 0}, 0)
}
