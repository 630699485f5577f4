package onnxexport_test

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/activation"

	"github.com/tlx-go/tlx/tlx/internal/testutil"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/nn"
	"github.com/tlx-go/tlx/tlx/onnxexport"
)

// seededConst is a constant of the given shape with seeded values in [-1, 1).
func seededConst(g *graph.Graph, seed uint64, dims ...int) *graph.Node {
	rng := rand.New(rand.NewPCG(seed, 5))
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = 2*rng.Float32() - 1
	}
	return graph.Const(g, tensors.FromFlatDataAndDimensions(data, dims...))
}

// opsModel uses GoMLX's own operations that tlx's layers avoid but
// imported models may use: window reductions (max, mean, min pools),
// dilated and depthwise convolutions, padding, reversal, slicing, iota,
// batched dot products, softmax and elementwise math.
func opsModel() *net.Model {
	return net.New("ops", 12, 12, 3).
		Add("pools", func(c *nn.Ctx, x *graph.Node) *graph.Node {
			a := graph.MaxPool(x).Window(3).Strides(2).PadSame().Done()
			b := graph.MeanPool(x).Window(2).Strides(2).Done()
			m := graph.MinPool(x).Window(2).Strides(2).Done()
			return graph.Concatenate([]*graph.Node{a, b, m}, 3) // [b, 6, 6, 9]
		}).
		Add("convs", func(c *nn.Ctx, x *graph.Node) *graph.Node {
			g := x.Graph()
			y := graph.Convolve(x, seededConst(g, 1, 3, 3, 9, 4)).Dilations(2).PadSame().Done()
			return graph.Convolve(y, seededConst(g, 2, 3, 3, 1, 4)).ChannelGroupCount(4).PadSame().Done() // [b, 6, 6, 4]
		}).
		Add("math", func(c *nn.Ctx, x *graph.Node) *graph.Node {
			g := x.Graph()
			x = activation.Gelu(x)
			x = graph.Add(x, graph.MulScalar(graph.Iota(g, x.Shape(), 1), 0.01))
			x = graph.Where(graph.GreaterThan(x, graph.ScalarZero(g, dtypes.Float32)), x, graph.MulScalar(x, 0.1))
			x = graph.Pad(x, graph.Scalar(g, dtypes.Float32, 0.5), compute.PadAxis{}, compute.PadAxis{Start: 1, End: 1}, compute.PadAxis{Start: 2}, compute.PadAxis{})
			x = graph.Reverse(x, 1)
			x = graph.Slice(x, graph.AxisRange(), graph.AxisRange(1, 7), graph.AxisRange(0, 8).Stride(2)) // [b, 6, 4, 4]
			x = graph.Add(graph.Sigmoid(x), graph.Tanh(graph.Abs(x)))
			return graph.Clip(x, graph.Scalar(g, dtypes.Float32, 0.1), graph.Scalar(g, dtypes.Float32, 1.5))
		}).
		Add("attend", func(c *nn.Ctx, x *graph.Node) *graph.Node {
			b := x.Shape().Dimensions[0]
			s := graph.Reshape(x, b, 24, 4)
			scores := graph.Einsum("bnc,bmc->bnm", s, s)
			w := graph.Softmax(scores, -1)
			y := graph.Einsum("bnm,bmc->bnc", w, s)
			return graph.Add(graph.ReduceMax(y, 1), graph.ReduceSum(y, 1)) // [b, 4]
		}).
		Add(net.HeadName, net.Classifier(5))
}

func TestOpsRunInORT(t *testing.T) {
	checkInORT(t, opsModel(), 1e-5, 3, 1)
}

// A graph that is not linear in the batch size (it multiplies by the
// batch size) is exported with a fixed batch, and says so.
func TestFixedBatchWhenNotLinear(t *testing.T) {
	m := net.New("batchscaled", 4).
		Add("scale", func(c *nn.Ctx, x *graph.Node) *graph.Node {
			return graph.MulScalar(x, float64(x.Shape().Dimensions[0]))
		}).
		Add(net.HeadName, net.Classifier(2))
	path := filepath.Join(t.TempDir(), "m.onnx")
	info, err := onnxexport.Export(m, path, onnxexport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if info.FixedBatch != 1 || info.Why == "" {
		t.Fatalf("FixedBatch %d (%q), want 1 with a reason", info.FixedBatch, info.Why)
	}
	t.Log(info.Why)
	x := randomInput(m, 1, 4)
	y, err := m.Output(x, "")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := testutil.RunORT(t, path, tensors.MustCopyFlatData[float32](x), x.Shape().Dimensions)
	if worst, _ := testutil.MaxDiff(got, tensors.MustCopyFlatData[float32](y)); worst > 1e-6 {
		t.Errorf("ONNX Runtime differs from tlx by %.2g", worst)
	}
	md, err := onnxexport.ReadMetadata(path)
	if err != nil {
		t.Fatal(err)
	}
	if md.Model != "batchscaled" || len(md.InputShape) != 1 || md.InputShape[0] != 4 {
		t.Errorf("metadata %+v", md)
	}
}

// Options.Batch fixes the batch size.
func TestOptionsBatch(t *testing.T) {
	m := opsModel()
	_, info, err := onnxexport.ExportBytes(m, onnxexport.Options{Batch: 2})
	if err != nil {
		t.Fatal(err)
	}
	if info.FixedBatch != 2 || info.Why != "" {
		t.Errorf("FixedBatch %d (%q), want 2 as asked", info.FixedBatch, info.Why)
	}
}
