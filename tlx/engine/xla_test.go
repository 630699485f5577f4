//go:build xla

package engine

import (
	"strings"
	"testing"
)

// With the XLA backend compiled in but no PJRT plugin on disk (and
// downloads off), Start must say why and hand out the Go backend.
func TestXLAWithoutPluginFallsBack(t *testing.T) {
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", t.TempDir())
	b, notice, err := Start("xla:cpu")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	if !strings.Contains(notice, `backend "xla:cpu" did not start`) || !strings.Contains(notice, "using the Go backend") {
		t.Errorf("notice %q, want the XLA failure and the fallback", notice)
	}
	if b.Name() == "" || strings.Contains(strings.ToLower(b.Name()), "xla") {
		t.Errorf("got backend %q, want the Go backend", b.Name())
	}
	t.Logf("notice: %s", notice)
}
