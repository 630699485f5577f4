package kernel_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlx-go/tlx/kernel"
	"github.com/tlx-go/tlx/kernel/kerneltest"
)

func TestMain(m *testing.M) { os.Exit(kerneltest.Main(m.Run)) }

// conformancePassing are the tests of jupyter-kernel-test 0.7.0 (and the
// five of testdata/conformance.py) that must pass, not be skipped.
var conformancePassing = []string{
	"test_kernel_info", "test_execute_stdout", "test_execute_stderr", "test_display_data",
	"test_error", "test_error_content", "test_error_after_output", "test_execute_result", "test_is_complete",
	"test_inspect", "test_inspect_stdlib", "test_inspect_cell_declaration", "test_history", "test_completion", "test_stderr_that_looks_like_a_panic",
}

// conformanceNotApplicable are the suite's tests that do not apply to Go
// cells or to this kernel's protocol version; conformance.py skips each
// with its reason (its doc comment lists them all).
var conformanceNotApplicable = []string{"TlxKernelTests.test_pager", "TlxKernelTests.test_clear_output",
	"TlxIopubWelcomeTests.test_recv_iopub_welcome_msg"}

// TestJupyterConformance runs jupyter-kernel-test 0.7.0 (PyPI, in the
// project's .tlx/venv) against the installed tlx kernel, with a panicking
// cell as the error case.
func TestJupyterConformance(t *testing.T) {
	root, err := kernel.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	python := filepath.Join(root, ".tlx", "venv", "bin", "python")
	if _, err := os.Stat(python); err != nil {
		t.Fatalf("project Python missing (run scripts/setup.sh, which installs jupyter-kernel-test 0.7.0 there): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	reportFile := filepath.Join(t.TempDir(), "report.txt")
	cmd := exec.CommandContext(ctx, python, "testdata/conformance.py", reportFile)
	cmd.Env = append(os.Environ(), "PYDEVD_DISABLE_FILE_VALIDATION=1")
	kernelLog, err := cmd.CombinedOutput()
	data, _ := os.ReadFile(reportFile)
	report := string(data)
	if ctx.Err() != nil {
		t.Fatalf("conformance suite did not finish in 5 minutes (a request that is never answered hangs it):\n%s", report)
	}
	if err != nil {
		t.Fatalf("conformance suite failed: %v\n%s\nkernel log:\n%s", err, report, kernelLog)
	}
	t.Logf("jupyter_kernel_test report:\n%s", report)
	for _, name := range conformancePassing {
		if !strings.Contains(report, name+" (__main__.TlxKernelTests."+name+") ... ok") {
			t.Errorf("%s did not pass (skipped or missing):\n%s", name, report)
		}
	}
	// A skipped subtest (history's range or search) still leaves its test "ok": count the skips.
	if want := fmt.Sprintf("OK (skipped=%d)", len(conformanceNotApplicable)); !strings.Contains(report, want) {
		t.Errorf("report does not end %q: a test or subtest was skipped that should run:\n%s", want, report)
	}
	for _, name := range conformanceNotApplicable {
		method := name[strings.Index(name, ".")+1:]
		skipped := regexp.MustCompile(regexp.QuoteMeta(method+" (__main__."+name+") ... skipped ") + `['"]not applicable: `)
		if !skipped.MatchString(report) {
			t.Errorf("%s is not skipped as not applicable:\n%s", name, report)
		}
	}
}
