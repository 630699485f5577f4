package engine

import (
	"fmt"
	"os"
	"sync"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend" // the embedded default backend, "go"
)

// BackendInfo says whether one GoMLX backend can run here, and why not.
type BackendInfo struct {
	Name      string // GOMLX_BACKEND name, e.g. "go"
	Available bool
	Reason    string // why it is not available (empty when it is)
}

// String formats b for a notebook line: "go: available".
func (b BackendInfo) String() string {
	if b.Available {
		return b.Name + ": available"
	}
	return b.Name + ": unavailable (" + b.Reason + ")"
}

// knownBackends are the backends tlx knows how to use, in order of
// preference, with the reason given when one is not compiled into the cell.
var knownBackends = []struct{ name, missing string }{
	{"go", "not compiled in"},
	{"onnx", "not compiled in: build with -tags onnx and set ONNXRUNTIME_SHARED_LIBRARY_PATH"},
	{"xla", "not compiled in: needs a PJRT plugin on disk"},
}

// Backends lists the backends tlx knows, registered ones first checked by
// starting them. A backend that fails to start is listed with its error.
func Backends() []BackendInfo {
	registered := map[string]bool{}
	for _, name := range compute.List() {
		registered[name] = true
	}
	var out []BackendInfo
	for _, kb := range knownBackends {
		info := BackendInfo{Name: kb.name}
		switch {
		case !registered[kb.name]:
			info.Reason = kb.missing
		default:
			b, err := compute.NewWithConfig(kb.name)
			if err != nil {
				info.Reason = err.Error()
			} else {
				info.Available = true
				b.Finalize()
			}
		}
		out = append(out, info)
	}
	return out
}

var (
	defaultBackendOnce sync.Once
	defaultBackend     compute.Backend
	defaultBackendErr  error
)

// Backend returns the process's backend, started on first use:
// GOMLX_BACKEND if set, else the pure-Go backend. If the backend that
// GOMLX_BACKEND names cannot start, tlx says so once on stderr and falls back
// to the Go backend, so a notebook never holds an invalid handle.
func Backend() (compute.Backend, error) {
	defaultBackendOnce.Do(func() {
		if config, ok := os.LookupEnv(compute.ConfigEnvVar); ok && config != "" {
			b, err := compute.NewWithConfig(config)
			if err == nil {
				defaultBackend = b
				return
			}
			fmt.Fprintf(os.Stderr, "tlx: backend %q (from %s) did not start: %v; using the Go backend\n", config, compute.ConfigEnvVar, err)
		}
		defaultBackend, defaultBackendErr = compute.NewWithConfig("go")
		if defaultBackendErr != nil {
			defaultBackendErr = fmt.Errorf("starting the Go backend: %w", defaultBackendErr)
		}
	})
	return defaultBackend, defaultBackendErr
}
