package manifest

import (
	"path/filepath"
	"testing"
)

func TestRecordAndRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.jsonl")
	t.Setenv(EnvVar, "")
	Record("data", "nothing recorded without the variable", "x")
	if Enabled() {
		t.Error("Enabled without the variable")
	}
	t.Setenv(EnvVar, path)
	if !Enabled() {
		t.Error("not Enabled with the variable set")
	}
	Record("data", "digits", "abc")
	Record("seed", "fit", "1")
	Record("data", "digits", "abc")
	entries, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range entries {
		kinds = append(kinds, e.Kind)
	}
	if len(entries) < 3 || entries[0].Kind != "version" || entries[len(entries)-1] != (Entry{"seed", "fit", "1"}) {
		t.Errorf("entries %v", entries)
	}
	count := 0
	for _, e := range entries {
		if e == (Entry{"data", "digits", "abc"}) {
			count++
		}
	}
	if count != 1 {
		t.Errorf("duplicate entry read %d times, want once", count)
	}
}

func TestRecordNamesTheSIMDPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.jsonl")
	t.Setenv(EnvVar, path)
	mu.Lock()
	versionsDone = false
	mu.Unlock()
	Record("seed", "fit", "1")
	entries, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Kind == "machine" && e.Name == "go backend SIMD path" {
			if e.Value != SIMDPath() {
				t.Errorf("recorded %q, SIMDPath says %q", e.Value, SIMDPath())
			}
			return
		}
	}
	t.Errorf("no SIMD path among %v", entries)
}

// The path follows the switches compute reads: with GOMLX_GO_SIMD_AVX512
// off, a CPU with AVX-512 takes the AVX2 kernels.
func TestSIMDPathFollowsComputesSwitches(t *testing.T) {
	t.Setenv("GOMLX_GO_SIMD_AVX512", "false")
	if p := SIMDPath(); p == PathAVX512 {
		t.Errorf("GOMLX_GO_SIMD_AVX512=false: path %s", p)
	}
	t.Setenv("GOMLX_GO_SIMD_AVX2", "off")
	if p := SIMDPath(); p != PathGeneric {
		t.Errorf("both switches off: path %s, want %s", p, PathGeneric)
	}
	t.Setenv("GOMLX_GO_SIMD_AVX512", "")
	t.Setenv("GOMLX_GO_SIMD_AVX2", "")
	if cpuAVX512() && SIMDPath() != PathAVX512 {
		t.Errorf("a CPU with AVX-512 and no switch: path %s", SIMDPath())
	}
}
