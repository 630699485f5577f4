package tlx

import (
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/onnxexport"
)

// ExportOptions adjust Export; the zero value leaves the batch size free.
type ExportOptions = onnxexport.Options

// Export writes any model — built from tlx's layers, an arch or zoo model,
// a TF.js, safetensors or ONNX import, fine-tuned or not — as an ONNX file
// (opset 13) that ONNX Runtime and other ONNX tools run:
//
//	tlx.Export(m, "fmnist59.onnx")
//	// input "input": float32 [batch, m.InputShape...] (NHWC for images)
//	// output "output": the model's last group (logits for a classifier)
//
// The graph is the model's inference graph (BatchNorm on its stored
// averages, dropout off) with the current weights as initializers. The
// file's metadata carries the class names ("tlx.classes"), the
// preprocessing ("tlx.preprocessing") and the model's name ("tlx.model"),
// and Load reads them back. See docs/export.md and package onnxexport.
//
// An ONNX import is exported like any model, taking tlx's input layout;
// onnxnet.Export instead writes the original graph back in its own layout.
func Export(m *net.Model, path string, opts ...ExportOptions) error {
	var o ExportOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	info, err := onnxexport.Export(m, path, o)
	if err != nil {
		return err
	}
	if info.Why != "" {
		Note("%s takes batches of exactly %d: %s", path, info.FixedBatch, info.Why)
	}
	return nil
}
