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
