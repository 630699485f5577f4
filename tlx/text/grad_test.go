package text

import (
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// TestGradientsMatchPyTorch compares the cross-entropy loss of a 3-class
// head on MiniLM and its gradients (what one SGD step subtracts, times
// the learning rate) with PyTorch's through sentence-transformers, for
// tensors at both ends of the network and in between. Dropout is off on
// both sides (Options.NoDropout, torch eval mode).
func TestGradientsMatchPyTorch(t *testing.T) {
	dir := miniLMDir(t)
	const seq = 32
	enc, err := Load(dir, Options{SeqLen: seq, NoDropout: true})
	if err != nil {
		t.Fatal(err)
	}
	m := enc.Model
	if err := m.ReplaceHead(3); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Init(); err != nil {
		t.Fatal(err)
	}
	texts := []string{"I loved this movie.", "Terrible service, never again.", "The parcel arrived on Tuesday.", "Great value and fast delivery!"}
	labels := []int{0, 1, 2, 0}
	names := map[string]string{ // tlx path -> torch name
		"/embeddings/position/table":      "embeddings.position_embeddings.weight",
		"/embeddings/norm/gamma":          "embeddings.LayerNorm.weight",
		"/layer0/attention/query/weights": "encoder.layer.0.attention.self.query.weight",
		"/layer2/attention/norm/beta":     "encoder.layer.2.attention.output.LayerNorm.bias",
		"/layer5/ffn/out/weights":         "encoder.layer.5.output.dense.weight",
		"/layer5/ffn/in/bias":             "encoder.layer.5.intermediate.dense.bias",
		"/head/weights":                   "head.weight",
		"/head/bias":                      "head.bias",
	}
	paths := slices.Sorted(maps.Keys(names))
	var torchNames []string
	for _, p := range paths {
		torchNames = append(torchNames, names[p])
	}
	headW, _ := m.Store.GetVariable("/head/weights").Value()
	headB, _ := m.Store.GetVariable("/head/bias").Value()
	w := tensors.MustCopyFlatData[float32](headW)
	in, out := headW.Shape().Dimensions[0], headW.Shape().Dimensions[1]
	rows := make([][]float32, in)
	for i := range in {
		rows[i] = w[i*out : (i+1)*out]
	}
	var want struct {
		Loss  float64
		Grads map[string][]float64
	}
	oracle(t, map[string]any{"op": "grad", "dir": dir, "seq_len": seq, "texts": texts, "labels": labels,
		"head_w": rows, "head_b": tensors.MustCopyFlatData[float32](headB), "names": torchNames}, &want)

	x, err := enc.Tokenizer.EncodeBatch(texts, seq)
	if err != nil {
		t.Fatal(err)
	}
	onehot := make([]float32, len(labels)*3)
	for i, l := range labels {
		onehot[i*3+l] = 1
	}
	backend, err := m.Backend()
	if err != nil {
		t.Fatal(err)
	}
	e, err := model.NewExec(backend, m.Store, func(scope *model.Scope, x, y *graph.Node) []*graph.Node {
		logits := m.Forward(scope, x, false, "")
		maxL := graph.StopGradient(graph.ReduceAndKeep(logits, graph.ReduceMax, -1))
		lse := graph.Add(graph.Log(graph.ReduceAndKeep(graph.Exp(graph.Sub(logits, maxL)), graph.ReduceSum, -1)), maxL)
		loss := graph.ReduceAllMean(graph.ReduceSum(graph.Mul(y, graph.Sub(lse, logits)), -1))
		var vars []*graph.Node
		for _, p := range paths {
			vars = append(vars, m.Store.GetVariable(p).NodeValue(x.Graph()))
		}
		return append([]*graph.Node{loss}, graph.Gradient(loss, vars...)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Finalize()
	res := e.MustCall(tensors.FromFlatDataAndDimensions(x, len(texts), seq), tensors.FromFlatDataAndDimensions(onehot, len(labels), 3))
	loss := float64(tensors.MustCopyFlatData[float32](res[0])[0])
	if d := math.Abs(loss - want.Loss); d > 1e-5 {
		t.Errorf("loss %.7f, PyTorch %.7f", loss, want.Loss)
	}
	// Float32 gradients through six layers: PyTorch and tlx sum in other
	// orders, so they agree to ~1e-6 of the tensor's largest gradient;
	// 1e-4 leaves room for that and still catches a wrong derivative
	// (missing mask, softmax or LayerNorm term), which is off by >1e-2.
	for i, p := range paths {
		got := tensors.MustCopyFlatData[float32](res[i+1])
		ref := want.Grads[names[p]]
		if len(got) != len(ref) {
			t.Fatalf("%s: %d gradient values, PyTorch %d", p, len(got), len(ref))
		}
		worst, scale := 0.0, 0.0
		for j := range ref {
			worst = math.Max(worst, math.Abs(float64(got[j])-ref[j]))
			scale = math.Max(scale, math.Abs(ref[j]))
		}
		t.Logf("%-34s max |grad| %.3g, max |tlx - torch| %.2g (%.1g relative)", p, scale, worst, worst/scale)
		if scale == 0 || worst > 1e-4*scale {
			t.Errorf("%s: gradient off PyTorch's by %.3g (max |grad| %.3g)", p, worst, scale)
		}
	}
}
