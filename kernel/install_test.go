package kernel_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tlx-go/tlx/kernel"
)

// TestInstallAndUninstall checks the kernelspec that kerneltest.Main
// installed (with the real Build and Install), that Jupyter lists it, and
// that Uninstall removes it.
func TestInstallAndUninstall(t *testing.T) {
	dataDir := os.Getenv("JUPYTER_DATA_DIR")
	specPath := filepath.Join(dataDir, "kernels", "tlx", "kernel.json")
	data, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	var spec kernel.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatalf("kernel.json: %v", err)
	}
	if spec.DisplayName != "Go (tlx)" || spec.Language != "go" || len(spec.Argv) != 3 || spec.Argv[1] != "launch" {
		t.Errorf("unexpected kernelspec %+v", spec)
	}
	if _, err := os.Stat(spec.Argv[0]); err != nil {
		t.Errorf("kernel binary: %v", err)
	}
	if spec.Env["GOTOOLCHAIN"] != kernel.Toolchain || spec.Env["GOEXPERIMENT"] != "simd" || spec.Env["TLX_ROOT"] == "" {
		t.Errorf("kernel env %v lacks GOTOOLCHAIN=%s, GOEXPERIMENT=simd or TLX_ROOT", spec.Env, kernel.Toolchain)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "nbextensions", "tlx", "echarts.min.js")); err != nil {
		t.Errorf("echarts notebook extension: %v", err)
	}

	out, err := exec.Command("/usr/bin/jupyter", "kernelspec", "list", "--json").Output()
	if err != nil {
		t.Fatalf("jupyter kernelspec list: %v", err)
	}
	var list struct {
		Kernelspecs map[string]struct {
			ResourceDir string `json:"resource_dir"`
		} `json:"kernelspecs"`
	}
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatal(err)
	}
	if got := list.Kernelspecs["tlx"].ResourceDir; got != filepath.Dir(specPath) {
		t.Errorf("jupyter finds kernel tlx at %q, want %q", got, filepath.Dir(specPath))
	}

	// Uninstall from a copy of the layout so the other tests keep theirs.
	other := kernel.Layout{JupyterDataDir: t.TempDir()}
	if err := os.MkdirAll(other.KernelDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := other.Uninstall(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(other.KernelDir()); !os.IsNotExist(err) {
		t.Errorf("kernel folder still there after Uninstall: %v", err)
	}
}

func TestInstallWithoutBinaryFails(t *testing.T) {
	l := kernel.Layout{Root: t.TempDir(), BinDir: t.TempDir(), JupyterDataDir: t.TempDir()}
	if err := l.Install(); err == nil {
		t.Fatal("Install with no built kernel binary succeeded")
	}
}

func TestFindRoot(t *testing.T) {
	root, err := kernel.FindRoot("testdata")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "kernel", "doc.go")); err != nil {
		t.Errorf("FindRoot gave %s, which is not the tlx tree", root)
	}
	if _, err := kernel.FindRoot(t.TempDir()); err == nil {
		t.Error("FindRoot outside the tree succeeded")
	}
}
