package manifest

import (
	"os"
	"strings"
)

// The kernel paths of GoMLX's Go backend (github.com/gomlx/compute): its
// AVX-512 and AVX2 kernels round differently, so a result trained on one
// path is other numbers than on another.
const (
	PathAVX512  = "AVX-512"
	PathAVX2    = "AVX2"
	PathGeneric = "generic" // no AVX-specific kernels (portable SIMD code may still use vector units)
)

// SIMDPath names the kernel path the Go backend takes in this process,
// decided as compute v0.1.14 decides it: the CPU's features (which
// GODEBUG=cpu.avx512f=off hides) and the switches GOMLX_GO_SIMD_AVX512 and
// GOMLX_GO_SIMD_AVX2.
func SIMDPath() string {
	switch {
	case cpuAVX512() && envAllows("GOMLX_GO_SIMD_AVX512"):
		return PathAVX512
	case cpuAVX2() && envAllows("GOMLX_GO_SIMD_AVX2"):
		return PathAVX2
	}
	return PathGeneric
}

// envAllows is false only where the variable is set to one of the false
// words compute accepts.
func envAllows(name string) bool {
	switch strings.ToLower(os.Getenv(name)) {
	case "0", "false", "f", "no", "off", "disabled":
		return false
	}
	return true
}

// CPUModel is the processor's model name (from /proc/cpuinfo), or "" where
// it cannot be read.
func CPUModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			if _, v, ok := strings.Cut(name, ":"); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return ""
}
