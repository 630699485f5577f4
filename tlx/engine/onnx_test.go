package engine

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// childEnv marks a test binary started by inChild.
const childEnv = "TLX_ENGINE_TEST_CHILD"

// inChild runs the test named name again in a fresh process with env
// added (a loaded runtime library stays loaded for the life of a process)
// and fails t with the child's output if the child fails.
func inChild(t *testing.T, name string, env ...string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^"+name+"$", "-test.v")
	cmd.Env = append(append(os.Environ(), childEnv+"=1"), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s with %q: %v\n%s", name, env, err, out)
	}
	t.Logf("%s with %q:\n%s", name, env, out)
}

// No library, or a broken path to it: Start must say why and hand out the
// Go backend.
func TestONNXRuntimeWithoutLibraryFallsBack(t *testing.T) {
	broken := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	if err := os.WriteFile(broken, []byte("not a shared library"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/nonexistent/libonnxruntime.so.1", broken} {
		inChild(t, "TestONNXRuntimeFallbackChild", "ONNXRUNTIME_SHARED_LIBRARY_PATH="+path)
	}
}

func TestONNXRuntimeFallbackChild(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("run by TestONNXRuntimeWithoutLibraryFallsBack")
	}
	b, notice, err := Start("onnx:cpu")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	if !strings.Contains(notice, `backend "onnx:cpu" did not start`) || !strings.Contains(notice, "using the Go backend") {
		t.Errorf("notice %q, want the failure and the fallback", notice)
	}
	if strings.Contains(strings.ToLower(b.Name()), "onnx") {
		t.Errorf("got backend %q, want the Go backend", b.Name())
	}
	t.Logf("notice: %s", notice)
}

// Setup's runtime library is found with no environment variable.
func TestOrderPrefersONNXRuntimeWhenItStarts(t *testing.T) {
	if os.Getenv("ONNXRUNTIME_SHARED_LIBRARY_PATH") == "" {
		t.Fatalf("no ONNX Runtime library under %q: run scripts/setup.sh", Root())
	}
	if got := FirstAvailable([]string{"no_such_backend", "onnx:cpu", "go"}); got != "onnx:cpu" {
		t.Errorf("FirstAvailable = %q, want onnx:cpu (library %s)", got, os.Getenv("ONNXRUNTIME_SHARED_LIBRARY_PATH"))
	}
}
