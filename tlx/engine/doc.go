// Package engine chooses and starts the GoMLX backend tlx computes on.
//
//	for _, b := range engine.Backends() { fmt.Println(b) } // go, onnx:cpu, xla:cpu, xla:cuda
//	backend, err := engine.Backend() // GOMLX_BACKEND, else TLX_BACKEND_ORDER, else DefaultOrder
//
// Every backend is compiled into every program (no build tags): the pure-Go
// backend ("go"), ONNX Runtime ("onnx:cpu", library from npm's
// onnxruntime-node under .tlx/lib) and XLA ("xla:cpu" on the PJRT CPU plugin
// setup installs from PyPI, see PluginPackage; "xla:cuda" where a CUDA
// plugin is on PJRT_PLUGIN_LIBRARY_PATH). compute-onnx and onnx-gomlx share
// one copy of the ONNX protobuf types (onnx-gomlx v0.5.5 imports
// compute-onnx's support/protos), so linking both registers onnx-ml.proto
// once.
//
// Build cells and tests with GOEXPERIMENT=simd (the tlx kernel and scripts
// do): the Go backend's matrix multiplication then uses its AVX2 kernels.
package engine
