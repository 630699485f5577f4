package kernel

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// ModulePath is the tlx module, whose working tree cells compile against.
const ModulePath = "github.com/tlx-go/tlx"

// KernelName is the kernelspec folder name; DisplayName is what Jupyter shows.
const (
	KernelName  = "tlx"
	DisplayName = "Go (tlx)"
)

// Toolchain is the Go toolchain tlx needs (gomlx v0.28 requires Go 1.27).
const Toolchain = "go1.27.3"

// GoExperiment is the GOEXPERIMENT cells are compiled with: "simd" turns on
// the GoMLX Go backend's AVX2 kernels.
const GoExperiment = "simd"

// Layout says where the pieces of an installation live.
type Layout struct {
	Root           string // the tlx module's working tree
	BinDir         string // built binaries: gonb, goimports, tlx-kernel
	JupyterDataDir string // kernels/ is written here
}

// FindRoot walks up from dir to the folder whose go.mod declares the tlx module.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && strings.HasPrefix(strings.TrimSpace(string(data)), "module "+ModulePath+"\n") {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod for module %s in %s or above it", ModulePath, dir)
		}
	}
}

// DefaultLayout returns the layout for the tree at root: binaries under
// root/.tlx/bin and Jupyter's data folder from $JUPYTER_DATA_DIR, else
// ~/.local/share/jupyter.
func DefaultLayout(root string) (Layout, error) {
	dataDir := os.Getenv("JUPYTER_DATA_DIR")
	if dataDir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return Layout{}, fmt.Errorf("finding Jupyter's data folder: %w", err)
		}
		dataDir = filepath.Join(home, ".local", "share", "jupyter")
	}
	return Layout{Root: root, BinDir: filepath.Join(root, ".tlx", "bin"), JupyterDataDir: dataDir}, nil
}

// KernelDir is the kernelspec folder.
func (l Layout) KernelDir() string { return filepath.Join(l.JupyterDataDir, "kernels", KernelName) }

// legacyExtensionDir is where earlier installs put the echarts library as
// a classic-notebook extension. Charts now carry the library themselves (see
// package charts), so Install and Uninstall remove the folder.
func (l Layout) legacyExtensionDir() string {
	return filepath.Join(l.JupyterDataDir, "nbextensions", "tlx")
}

// Spec is a Jupyter kernelspec (kernel.json).
type Spec struct {
	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode"`
	Env           map[string]string `json:"env"`
}

// Build compiles GoNB, goimports (both at the versions pinned in go.mod) and
// tlx-kernel into l.BinDir.
func (l Layout) Build(out io.Writer) error {
	if err := os.MkdirAll(l.BinDir, 0o755); err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-o", l.BinDir+string(os.PathSeparator),
		"github.com/janpfeifer/gonb", "golang.org/x/tools/cmd/goimports", "./kernel/cmd/tlx-kernel")
	cmd.Dir = l.Root
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+Toolchain)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building the kernel's tools into %s: %w", l.BinDir, err)
	}
	return nil
}

// Spec returns the kernelspec for this layout. The kernel's PATH puts the
// built tools and the running Go installation first: GoNB calls go and
// goimports for every cell.
func (l Layout) Spec() Spec {
	path := l.BinDir + string(os.PathListSeparator) + filepath.Join(runtime.GOROOT(), "bin")
	if p := os.Getenv("PATH"); p != "" {
		path += string(os.PathListSeparator) + p
	}
	return Spec{
		Argv:          []string{filepath.Join(l.BinDir, "tlx-kernel"), "launch", "{connection_file}"},
		DisplayName:   DisplayName,
		Language:      "go",
		InterruptMode: "message",
		Env: map[string]string{
			"GOTOOLCHAIN": Toolchain,
			// The Go backend's AVX2 matrix kernels are behind this experiment:
			// without it training runs several times slower.
			"GOEXPERIMENT": GoExperiment,
			"PATH":         path,
			"TLX_ROOT":     l.Root,
		},
	}
}

// Install writes the kernelspec (and removes the notebook extension of
// earlier installs). It does not build: call Build first (the install
// command does both).
func (l Layout) Install() error {
	if _, err := os.Stat(filepath.Join(l.BinDir, "tlx-kernel")); err != nil {
		return fmt.Errorf("kernel binary missing (run the install command, which builds it): %w", err)
	}
	if err := os.MkdirAll(l.KernelDir(), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(l.Spec(), "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(l.KernelDir(), "kernel.json"), data, 0o644); err != nil {
		return fmt.Errorf("writing kernelspec: %w", err)
	}
	if err := os.RemoveAll(l.legacyExtensionDir()); err != nil {
		return fmt.Errorf("removing the old notebook extension %s: %w", l.legacyExtensionDir(), err)
	}
	return nil
}

// InitCells are what the kernel runs in GoNB before the first cell: GoNB's
// module requires tlx (replaced by the working tree at root), so every
// module in tlx's build list, GoMLX and GoNB's gonbui among them, is known at
// its pinned version and GoNB's automatic "go get" never asks the module
// proxy for a version list.
func InitCells(root string) []string {
	return []string{fmt.Sprintf("!*go mod edit -require=%s@v0.0.0 -replace=%s=%s", ModulePath, ModulePath, root)}
}

// Uninstall removes the kernelspec (and an earlier install's notebook
// extension).
func (l Layout) Uninstall() error {
	for _, dir := range []string{l.KernelDir(), l.legacyExtensionDir()} {
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("removing %s: %w", dir, err)
		}
	}
	return nil
}
