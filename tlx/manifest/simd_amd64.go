//go:build amd64 && goexperiment.simd

package manifest

import "simd/archsimd"

func cpuAVX512() bool { return archsimd.X86.AVX512() }
func cpuAVX2() bool   { return archsimd.X86.AVX2() }
