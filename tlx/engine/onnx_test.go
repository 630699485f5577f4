//go:build onnx

package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// No library, or a broken path to it: Start must say why and hand out the
// Go backend.
func TestONNXRuntimeWithoutLibraryFallsBack(t *testing.T) {
	broken := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	if err := os.WriteFile(broken, []byte("not a shared library"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"", "/nonexistent/libonnxruntime.so.1", broken} {
		t.Setenv("ONNXRUNTIME_SHARED_LIBRARY_PATH", path)
		b, notice, err := Start("onnx:cpu")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(notice, `backend "onnx:cpu" did not start`) || !strings.Contains(notice, "using the Go backend") {
			t.Errorf("library path %q: notice %q, want the failure and the fallback", path, notice)
		}
		if strings.Contains(strings.ToLower(b.Name()), "onnx") {
			t.Errorf("library path %q: got backend %q, want the Go backend", path, b.Name())
		}
		t.Logf("library path %q: %s", path, notice)
		b.Finalize()
	}
}

func TestOrderPrefersONNXRuntimeWhenItStarts(t *testing.T) {
	lib, _ := filepath.Abs("../../.tlx/lib/libonnxruntime.so.1")
	t.Setenv("ONNXRUNTIME_SHARED_LIBRARY_PATH", lib)
	if got := FirstAvailable([]string{"xla:cuda", "onnx:cpu", "go"}); got != "onnx:cpu" {
		t.Errorf("FirstAvailable = %q, want onnx:cpu (library %s)", got, lib)
	}
}
