// Package runner executes notebooks headless with the tlx kernel and writes
// the executed notebook and a self-contained HTML report.
//
//	res, err := runner.Run(runner.Options{Notebook: "notebooks/00-welcome.ipynb"})
//
// Underneath it drives nbclient and nbconvert from the project's virtual
// environment .tlx/venv (PyPI, pinned by scripts/python/requirements.lock);
// the report inlines the echarts library once, so every chart draws with no
// network, and opens with a run manifest: notebook, machine, date, and what
// the cells recorded (data and weight hashes, seeds, backend, versions; see
// package manifest), also saved as NAME.manifest.json.
package runner

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/tlx-go/tlx/charts"
	"github.com/tlx-go/tlx/kernel"
	"github.com/tlx-go/tlx/tlx/manifest"
)

//go:embed execute.py
var executePy []byte

// Options says what to run and where to put the results.
type Options struct {
	Notebook    string        // the .ipynb to execute
	OutNotebook string        // executed copy; default NAME.out.ipynb next to HTML
	HTML        string        // report; default NAME.html in the notebook's folder
	Kernel      string        // kernelspec name; default "tlx"
	CellTimeout time.Duration // per cell; default 30 minutes
	EchartsJS   string        // echarts.min.js to inline; default $TLX_ROOT/.tlx/npm/... (see DefaultEchartsJS)
	Python      string        // default .tlx/venv/bin/python (see DefaultPython)
	Env         []string      // extra environment for the kernel, e.g. TLX_QUICK=1
}

// CellError says which cell failed and how.
type CellError struct {
	Notebook  string
	Index     int // 0-based position in the notebook
	Ename     string
	Evalue    string
	Traceback string
}

func (e *CellError) Error() string {
	return fmt.Sprintf("%s: cell %d failed: %s: %s", e.Notebook, e.Index, e.Ename, e.Evalue)
}

// Result describes a finished run.
type Result struct {
	Cells       int
	OutNotebook string
	HTML        string
	Duration    time.Duration
}

func (o Options) withDefaults() (Options, error) {
	if o.Notebook == "" {
		return o, fmt.Errorf("no notebook given")
	}
	base := strings.TrimSuffix(o.Notebook, filepath.Ext(o.Notebook))
	if o.HTML == "" {
		o.HTML = base + ".html"
	}
	if o.OutNotebook == "" {
		o.OutNotebook = strings.TrimSuffix(o.HTML, filepath.Ext(o.HTML)) + ".out.ipynb"
	}
	if o.Kernel == "" {
		o.Kernel = "tlx"
	}
	if o.CellTimeout == 0 {
		o.CellTimeout = 30 * time.Minute
	}
	if o.Python == "" {
		py, err := DefaultPython()
		if err != nil {
			return o, err
		}
		o.Python = py
	}
	if o.EchartsJS == "" {
		js, err := DefaultEchartsJS()
		if err != nil {
			return o, err
		}
		o.EchartsJS = js
	}
	return o, nil
}

// DefaultEchartsJS finds the echarts library that setup installed under the
// tlx tree named by $TLX_ROOT, or the tree around the current folder.
func DefaultEchartsJS() (string, error) {
	root, err := tlxRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, ".tlx", "npm", "node_modules", "echarts", "dist", "echarts.min.js"), nil
}

// DefaultPython is the python of the virtual environment that setup made
// under the tlx tree ($TLX_ROOT, or the tree around the current folder):
// it has nbclient and nbconvert at the pinned versions.
func DefaultPython() (string, error) {
	root, err := tlxRoot()
	if err != nil {
		return "", err
	}
	py := filepath.Join(root, ".tlx", "venv", "bin", "python")
	if _, err := os.Stat(py); err != nil {
		return "", fmt.Errorf("no python in %s (the runner needs nbclient from it): run scripts/setup.sh: %w",
			filepath.Join(root, ".tlx", "venv"), err)
	}
	return py, nil
}

// tlxRoot is $TLX_ROOT, else the tlx tree around the current folder
// (kernel.FindRoot: the folder whose go.mod declares the tlx module).
func tlxRoot() (string, error) {
	if root := os.Getenv("TLX_ROOT"); root != "" {
		return root, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, err := kernel.FindRoot(dir)
	if err != nil {
		return "", fmt.Errorf("finding the tlx tree (run inside it, or set TLX_ROOT): %w", err)
	}
	return root, nil
}

// Run executes the notebook. When a cell fails it still writes the executed
// notebook and report (up to the failing cell) and returns a *CellError.
func Run(o Options) (*Result, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(o.Notebook); err != nil {
		return nil, fmt.Errorf("notebook: %w", err)
	}
	echarts, err := os.ReadFile(o.EchartsJS)
	if err != nil {
		return nil, fmt.Errorf("reading the echarts library for the report: %w", err)
	}
	for _, p := range []string{o.HTML, o.OutNotebook} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
	}
	script, err := os.CreateTemp("", "tlx-execute-*.py")
	if err != nil {
		return nil, err
	}
	defer os.Remove(script.Name())
	if _, err := script.Write(executePy); err != nil {
		return nil, err
	}
	script.Close()

	manifestFile, err := os.CreateTemp("", "tlx-manifest-*.jsonl")
	if err != nil {
		return nil, err
	}
	manifestFile.Close()
	defer os.Remove(manifestFile.Name())

	start := time.Now()
	cmd := exec.Command(o.Python, script.Name(), o.Notebook, o.OutNotebook, o.HTML, o.Kernel,
		fmt.Sprint(int(o.CellTimeout.Seconds())))
	cmd.Env = append(append(os.Environ(), "PYDEVD_DISABLE_FILE_VALIDATION=1", manifest.EnvVar+"="+manifestFile.Name()), o.Env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("executing %s: %w\n%s", o.Notebook, err, tail(stderr.String(), 3000))
	}
	var report struct {
		Cells  int
		Failed *struct {
			Index                    *int
			Ename, Evalue, Traceback string
		}
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &report); err != nil {
		return nil, fmt.Errorf("reading the executor's summary %q: %w", lines[len(lines)-1], err)
	}
	page, err := os.ReadFile(o.HTML)
	if err != nil {
		return nil, err
	}
	recorded, err := manifest.Read(manifestFile.Name())
	if err != nil {
		return nil, fmt.Errorf("reading the run manifest: %w", err)
	}
	entries := append(machineEntries(start, o), recorded...)
	if page, err = insertManifest(page, entries); err != nil {
		return nil, fmt.Errorf("report %s: %w", o.HTML, err)
	}
	// The library goes in last: its code contains "<body" strings that must
	// not be mistaken for the page's body.
	if page, err = charts.InlineLibrary(page, echarts); err != nil {
		return nil, fmt.Errorf("report %s: %w", o.HTML, err)
	}
	if err := writeManifestJSON(strings.TrimSuffix(o.HTML, filepath.Ext(o.HTML))+".manifest.json", entries); err != nil {
		return nil, err
	}
	if err := os.WriteFile(o.HTML, page, 0o644); err != nil {
		return nil, err
	}
	res := &Result{Cells: report.Cells, OutNotebook: o.OutNotebook, HTML: o.HTML, Duration: time.Since(start)}
	if f := report.Failed; f != nil {
		ce := &CellError{Notebook: o.Notebook, Index: -1, Ename: f.Ename, Evalue: f.Evalue, Traceback: f.Traceback}
		if f.Index != nil {
			ce.Index = *f.Index
		}
		return res, ce
	}
	return res, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
