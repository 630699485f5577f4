// Package engine chooses and starts the GoMLX backend tlx computes on.
//
//	for _, b := range engine.Backends() { fmt.Println(b) }
//	backend, err := engine.Backend() // GOMLX_BACKEND if it starts, else the pure-Go backend
//
// Build cells and tests with GOEXPERIMENT=simd (the tlx kernel and scripts
// do): the Go backend's matrix multiplication then uses its AVX2 kernels.
package engine
