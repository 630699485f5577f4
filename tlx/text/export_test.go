package text

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/internal/testutil"
	"github.com/tlx-go/tlx/tlx/onnxexport"
)

// TestExportONNX exports MiniLM with a 2-class head and runs the file in
// ONNX Runtime (npm onnxruntime-node) at a batch size the trace did not
// use: the logits agree with tlx's within float32 rounding (1e-5 relative).
func TestExportONNX(t *testing.T) {
	const seq = 16
	enc, err := Load(miniLMDir(t), Options{SeqLen: seq})
	if err != nil {
		t.Fatal(err)
	}
	m := enc.Model
	if err := m.ReplaceHead(2); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "minilm.onnx")
	info, err := onnxexport.Export(m, path, onnxexport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if info.FixedBatch != 0 {
		t.Errorf("export fixed the batch at %d: %s", info.FixedBatch, info.Why)
	}
	texts := []string{"exported to ONNX", "", "a longer sentence that is cut at sixteen word pieces by the tokenizer"}
	x, err := enc.Tokenizer.EncodeBatch(texts, seq)
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.Output(tensors.FromFlatDataAndDimensions(x, len(texts), seq), "")
	if err != nil {
		t.Fatal(err)
	}
	got, dims := testutil.RunORT(t, path, x, []int{len(texts), seq})
	if !slices.Equal(dims, []int{len(texts), 2}) {
		t.Fatalf("ONNX Runtime output %v, want [%d 2]", dims, len(texts))
	}
	worst, scale := testutil.MaxDiff(got, tensors.MustCopyFlatData[float32](want))
	t.Logf("logits: max |ORT - tlx| %.2g (max |logit| %.3g)", worst, scale)
	if worst > 1e-5*max(scale, 1) {
		t.Errorf("ONNX Runtime's logits differ from tlx's by %.3g", worst)
	}
}
