package testutil

import (
	"encoding/binary"
	"math"
	"os"
	"testing"
)

// ReadF32 reads a file of little-endian float32 values (what the oracle
// scripts write), failing the test when it cannot.
func ReadF32(t testing.TB, path string) []float32 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b)%4 != 0 {
		t.Fatalf("%s: %d bytes, not a whole number of float32 values", path, len(b))
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}
