package engine

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend" // the embedded default backend, "go"
	"github.com/tlx-go/tlx/tlx/manifest"
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
	{"onnx", "not compiled in: build with -tags onnx (in a cell: %goflags -tags=onnx); setup installs the runtime"},
	{"xla", "not compiled in: build with -tags xla, with a PJRT plugin in PJRT_PLUGIN_LIBRARY_PATH"},
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

// OrderEnvVar names the preference list Backend tries when GOMLX_BACKEND is
// not set: comma-separated configurations, first that starts wins, e.g.
// TLX_BACKEND_ORDER=onnx:cpu,go. The default is "go".
const OrderEnvVar = "TLX_BACKEND_ORDER"

// Backend returns the process's backend, started on first use:
// GOMLX_BACKEND if set (it always wins), else the first of
// $TLX_BACKEND_ORDER that starts, else the pure-Go backend. If the backend
// asked for cannot start, tlx says so once on stderr and falls back to the
// Go backend, so a notebook never holds an invalid handle.
func Backend() (compute.Backend, error) {
	defaultBackendOnce.Do(func() {
		config := os.Getenv(compute.ConfigEnvVar)
		if config == "" {
			config = FirstAvailable(strings.Split(os.Getenv(OrderEnvVar), ","))
		}
		var notice string
		defaultBackend, notice, defaultBackendErr = Start(config)
		if notice != "" {
			fmt.Fprintln(os.Stderr, "tlx:", notice)
		}
		if defaultBackend != nil {
			manifest.Record("backend", "GoMLX backend", defaultBackend.Name())
		}
	})
	return defaultBackend, defaultBackendErr
}

// FirstAvailable returns the first configuration in order whose backend
// is compiled in and starts here ("go" when none does).
func FirstAvailable(order []string) string {
	for _, config := range order {
		config = strings.TrimSpace(config)
		if config == "" {
			continue
		}
		b, notice, err := Start(config)
		if err == nil {
			b.Finalize()
			if notice == "" {
				return config
			}
		}
	}
	return "go"
}

// Start starts the backend named by config (GOMLX_BACKEND syntax, e.g.
// "go", "onnx:cpu", "xla:cuda"; "" means "go"). When that backend does not
// start, it starts the Go backend instead and says why in notice; it never
// returns a backend that failed to start.
func Start(config string) (b compute.Backend, notice string, err error) {
	if config != "" && config != "go" {
		name, _, _ := strings.Cut(config, ":")
		if !slices.Contains(compute.List(), name) {
			notice = fmt.Sprintf("backend %q is not compiled into this program (available: %s); using the Go backend", config, strings.Join(compute.List(), ", "))
		} else if b, err = compute.NewWithConfig(config); err == nil {
			return b, "", nil
		} else {
			notice = fmt.Sprintf("backend %q did not start: %v; using the Go backend", config, err)
		}
	}
	b, err = compute.NewWithConfig("go")
	if err != nil {
		return nil, notice, fmt.Errorf("starting the Go backend: %w", err)
	}
	return b, notice, nil
}
