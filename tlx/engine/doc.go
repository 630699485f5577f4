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
// # The default order, by measurement
//
// DefaultOrder is "go": the fastest end to end for notebooks, where every
// cell is a fresh process and every stage builds new graphs, so XLA's
// compilation is paid again and again. Measured 2026-12-01 on the 2-core
// AVX-512 machine, other jobs running (load 2-4), GOEXPERIMENT=simd,
// `bash bench/backendorder.sh` (batch 16, a fresh process per run, backends
// interleaved; first = process start to the end of the first step, graph
// building and compilation included; step = median of 3 after it):
//
//	workload                  go first/step   onnx:cpu first/step   xla:cpu first/step
//	small CNN 64² train       0.46 s / 0.156  0.56 s / 0.109        3.7 s / 0.054
//	ResNet-18 64² forward     0.96 s / 0.097  0.57 s / 0.026        7.6 s / 0.032
//	ResNet-18 64² train       1.1 s / 0.293   1.5 s / 0.353         12.4 s / 0.222
//	ResNet-18 224² forward    1.9 s / 0.93    1.6 s / 0.83          9.1 s / 0.38
//	ResNet-18 224² train      6.1 s / 3.64    4.7 s / 1.84          10.3 s / 1.24
//
// XLA runs a step 1.3-3x faster than the Go backend but compiles for 4-12 s
// more per graph (30-80 s when the machine was loaded): it pays off after
// about 3 steps of ResNet-18 at 224², after some 160 at 64². End to end,
// notebooks 00 and 01 in quick mode (`go test -run 'TestNotebooks/0[01]'
// ./notebooks`, fresh feature cache, one run each, load 2-3) took 12.4 s
// and 33.8 s on the Go backend, 14.0 s and 61.4 s with
// TLX_BACKEND_ORDER=xla:cpu (CPU time 45 s against 97 s). ONNX Runtime is
// not the default either: end to end it was not clearly faster (00 14.6 s,
// 01 26.5 s, against 13.2 s and 30.5 s on the Go backend in the same
// pair), its step time swung from 0.7x to 2x the Go backend's between runs
// on the loaded machine, and the course's other notebooks (adaptation
// objectives, TF.js imports) have not been run on it. It computes frozen
// prefixes instead (see PrefixBackend): 01 took 29.6 s so, 33.8 s with
// TLX_PREFIX_BACKEND=same. For long training runs at 224², ask for XLA:
// GOMLX_BACKEND=xla:cpu (always wins) or TLX_BACKEND_ORDER=xla:cpu,go.
//
// Build cells and tests with GOEXPERIMENT=simd (the tlx kernel and scripts
// do): the Go backend's matrix multiplication then uses its AVX2 kernels.
package engine
