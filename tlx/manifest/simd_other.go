//go:build !(amd64 && goexperiment.simd)

package manifest

// Without GOEXPERIMENT=simd (or off amd64) the Go backend has no
// AVX-specific kernels.
func cpuAVX512() bool { return false }
func cpuAVX2() bool   { return false }
