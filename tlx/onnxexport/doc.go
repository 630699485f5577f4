// Package onnxexport writes any tlx model's inference graph as an ONNX file.
//
//	m := arch.ResNet(arch.ResNetConfig{Depth: 18, Width: 8, Classes: 10}, 32, 32, 3)
//	... fine-tune m ...
//	info, err := onnxexport.Export(m, "resnet.onnx", onnxexport.Options{}) // or tlx.Export(m, "resnet.onnx")
//	// ONNX Runtime: session.run({input: x}) with x [batch, 32, 32, 3] float32 (NHWC)
//
// The model's graph (training=false: BatchNorm on its stored averages,
// dropout off) is built by GoMLX on a recording backend: every operation
// GoMLX asks of a backend (convolution, dot products, reductions, reshapes,
// elementwise math) becomes one or a few ONNX nodes, and every variable an
// initializer named by its path ("/layer1/conv1/weights"). So whatever a
// tlx model is made of — tlx's own layers, arch, the zoo, TF.js, safetensors
// or ONNX imports — exports the same way.
//
// tlx's own im2col and depthwise convolutions are then rewritten as ONNX
// Conv, and BatchNorm's arithmetic into the order ONNX Runtime fuses into
// the convolution (see fuse.go, fuse_depthwise.go, affine.go).
//
// The graph is traced at two batch sizes; dimensions that grow with the
// batch become computed from the input's batch dimension, so the file takes
// any batch size ("batch" in its input and output shapes). If a model's
// graph is not linear in the batch size the export keeps a fixed batch
// of 1 and says so in Info.FixedBatch and Info.Why (Options.Batch fixes
// one on purpose).
//
// Class names, preprocessing and the model's name go into the file's
// metadata_props (see MetadataClasses and friends); ReadMetadata gives them
// back, and tlx.Load uses it.
package onnxexport
