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
// installed (with the real Build and Install), that the project's Jupyter
// lists it, that no notebook extension is written any more (an old one is
// removed), and that Uninstall removes the kernel.
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
	if _, err := os.Stat(filepath.Join(dataDir, "nbextensions")); !os.IsNotExist(err) {
		t.Errorf("install wrote a notebook extension (charts carry echarts themselves): %v", err)
	}

	root, err := kernel.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(filepath.Join(root, ".tlx", "venv", "bin", "jupyter"), "kernelspec", "list", "--json").Output()
	if err != nil {
		t.Fatalf("jupyter kernelspec list (.tlx/venv, from scripts/setup.sh): %v", err)
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

	// Install over an earlier install's notebook extension removes it.
	upgrade := kernel.Layout{Root: root, BinDir: filepath.Dir(spec.Argv[0]), JupyterDataDir: t.TempDir()}
	stale := filepath.Join(upgrade.JupyterDataDir, "nbextensions", "tlx", "echarts.min.js")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := upgrade.Install(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(stale)); !os.IsNotExist(err) {
		t.Errorf("Install left the old notebook extension: %v", err)
	}
	if _, err := os.Stat(filepath.Join(upgrade.KernelDir(), "kernel.json")); err != nil {
		t.Errorf("Install over an old extension: %v", err)
	}

	// Uninstall from a copy of the layout so the other tests keep theirs,
	// with the notebook extension an earlier install left.
	other := kernel.Layout{JupyterDataDir: t.TempDir()}
	legacy := filepath.Join(other.JupyterDataDir, "nbextensions", "tlx")
	for _, dir := range []string{other.KernelDir(), legacy} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.Uninstall(); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{other.KernelDir(), legacy} {
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s still there after Uninstall: %v", dir, err)
		}
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
