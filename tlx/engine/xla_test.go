package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// With no PJRT plugin in the tree nor where PJRT_PLUGIN_LIBRARY_PATH
// points (and downloads off), Start must say why and hand out the Go
// backend.
func TestXLAWithoutPluginFallsBack(t *testing.T) {
	t.Setenv("TLX_ROOT", t.TempDir())
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

// requireCPUPlugin fails the test when setup's plugin is missing: the
// tests run after scripts/setup.sh, which installs it.
func requireCPUPlugin(t *testing.T) string {
	t.Helper()
	if hasCPUPlugin(os.Getenv("PJRT_PLUGIN_LIBRARY_PATH")) {
		t.Skip("PJRT_PLUGIN_LIBRARY_PATH holds a CPU plugin: xla:cpu is that one, not setup's")
	}
	path := CPUPlugin()
	if path == "" {
		t.Fatalf("no PJRT CPU plugin under %q: run scripts/setup.sh (it installs %s)", Root(), PluginPackage)
	}
	return path
}

// Setup's plugin is found with no environment variable and runs "xla:cpu".
func TestXLACPUStartsOnSetupsPlugin(t *testing.T) {
	path := requireCPUPlugin(t)
	for _, config := range []string{"xla:cpu", "xla"} {
		b, notice, err := Start(config)
		if err != nil || notice != "" {
			t.Fatalf("Start(%q): %v %s", config, err, notice)
		}
		if b.Name() != "xla" || !strings.Contains(b.Description(), path) {
			t.Errorf("Start(%q) = %s (%s), want XLA on %s", config, b.Name(), b.Description(), path)
		}
		b.Finalize()
	}
	for _, info := range Backends() {
		if info.Name == "xla:cpu" && !info.Available {
			t.Errorf("Backends() lists xla:cpu unavailable: %s", info.Reason)
		}
	}
}

func TestResolveXLAKeepsOptionsAndOtherPlugins(t *testing.T) {
	path := requireCPUPlugin(t)
	for _, tc := range []struct{ config, want string }{
		{"xla:cpu", "xla:" + path},
		{"xla:cpu,shared_buffers=false", "xla:" + path + ",shared_buffers=false"},
		{"xla:cuda", "xla:cuda"},
		{"onnx:cpu", "onnx:cpu"},
		{"go", "go"},
	} {
		if got := resolveXLA(tc.config); got != tc.want {
			t.Errorf("resolveXLA(%q) = %q, want %q", tc.config, got, tc.want)
		}
	}
}

// A plugin path that holds only a CUDA plugin (the GPU machines') keeps
// setup's CPU plugin for xla:cpu; one that holds a CPU plugin wins.
func TestPluginPathWithoutCPUPluginKeepsSetups(t *testing.T) {
	path := requireCPUPlugin(t)
	cuda := t.TempDir()
	if err := os.WriteFile(filepath.Join(cuda, "pjrt_c_api_cuda_plugin.so"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", cuda)
	if got := resolveXLA("xla:cpu"); got != "xla:"+path {
		t.Errorf("with only a CUDA plugin on the path: resolveXLA(xla:cpu) = %q, want setup's %s", got, path)
	}
	cpu := t.TempDir()
	if err := os.WriteFile(filepath.Join(cpu, "pjrt_c_api_cpu_plugin.so"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", cuda+":"+cpu)
	if got := resolveXLA("xla:cpu"); got != "xla:cpu" {
		t.Errorf("with a CPU plugin on the path: resolveXLA(xla:cpu) = %q, want it passed to go-xla", got)
	}
}
