package kernel_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlx-go/tlx/kernel/kerneltest"
)

func TestMain(m *testing.M) { os.Exit(kerneltest.Main(m.Run)) }

// TestJupyterConformance runs Debian's jupyter_kernel_test suite against
// the installed tlx kernel. The required tests must pass, not be skipped.
func TestJupyterConformance(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	reportFile := filepath.Join(t.TempDir(), "report.txt")
	cmd := exec.CommandContext(ctx, "/usr/bin/python3", "testdata/conformance.py", reportFile)
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
	for _, name := range []string{"test_kernel_info", "test_execute_stdout", "test_execute_stderr",
		"test_display_data", "test_error", "test_is_complete"} {
		if !strings.Contains(report, name+" (__main__.TlxKernelTests."+name+") ... ok") {
			t.Errorf("%s did not pass (skipped or missing):\n%s", name, report)
		}
	}
}
