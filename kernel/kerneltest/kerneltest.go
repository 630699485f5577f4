// Package kerneltest installs the tlx kernel into a throwaway Jupyter data
// folder for tests, so they exercise the real kernel without touching the
// user's installation.
package kerneltest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tlx-go/tlx/kernel"
)

// Install builds the kernel's tools into dir/bin, writes the kernelspec to
// dir/jupyter and points JUPYTER_DATA_DIR, JUPYTER_PATH and TLX_ROOT of this
// process at them. Call it from TestMain; log receives the build's output.
//
// JUPYTER_PATH matters: Jupyter run from a virtual environment (the
// project's .tlx/venv) prefers the environment's kernelspecs to
// JUPYTER_DATA_DIR's, so without it the tests would talk to the kernel
// installed in .tlx/venv, not to the one just built from this tree.
func Install(dir string, log io.Writer) (kernel.Layout, error) {
	root, err := kernel.FindRoot(".")
	if err != nil {
		return kernel.Layout{}, err
	}
	l := kernel.Layout{Root: root, BinDir: filepath.Join(dir, "bin"), JupyterDataDir: filepath.Join(dir, "jupyter")}
	if err := l.Build(log); err != nil {
		return l, err
	}
	if err := l.Install(); err != nil {
		return l, err
	}
	if err := os.Setenv("JUPYTER_DATA_DIR", l.JupyterDataDir); err != nil {
		return l, err
	}
	if err := os.Setenv("JUPYTER_PATH", l.JupyterDataDir); err != nil {
		return l, err
	}
	if err := os.Setenv("TLX_ROOT", root); err != nil {
		return l, err
	}
	return l, nil
}

// Main is a TestMain body: it installs the kernel into a temporary folder,
// runs the tests and removes the folder.
func Main(run func() int) int {
	dir, err := os.MkdirTemp("", "tlx-kerneltest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if _, err := Install(dir, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "installing the tlx kernel for tests:", err)
		return 1
	}
	return run()
}
