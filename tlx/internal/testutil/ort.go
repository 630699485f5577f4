package testutil

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// RunORT runs an ONNX file in ONNX Runtime (node + npm onnxruntime-node,
// which setup installs into .tlx/npm) on one float32 input of the given
// dimensions and returns the first output and its dimensions.
func RunORT(t testing.TB, model string, data []float32, dims []int) ([]float32, []int) {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 4*len(data))
	for i, f := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(f))
	}
	in := filepath.Join(t.TempDir(), "input.f32")
	if err := os.WriteFile(in, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	ds := make([]string, len(dims))
	for i, d := range dims {
		ds[i] = fmt.Sprint(d)
	}
	cmd := exec.Command("node", filepath.Join(root, "tlx/onnxnet/testdata/ort_run.js"), model, in, strings.Join(ds, ","))
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(root, ".tlx/npm/node_modules"))
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("ONNX Runtime on %s (bash scripts/setup.sh installs onnxruntime-node): %v\n%s", model, err, stderr)
	}
	var y struct {
		Dims []int
		Data []float32
	}
	if err := json.Unmarshal(out, &y); err != nil {
		t.Fatalf("ONNX Runtime's output for %s: %v", model, err)
	}
	return y.Data, y.Dims
}
