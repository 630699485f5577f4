package engine

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend" // the embedded backend, "go"
	"github.com/tlx-go/tlx/tlx/manifest"
)

// BackendInfo says whether one GoMLX backend can run here, and why not.
type BackendInfo struct {
	Name      string // configuration, as in GOMLX_BACKEND, e.g. "xla:cpu"
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

// knownBackends are the configurations tlx knows how to use; every one is
// compiled into every program.
var knownBackends = []string{"go", "onnx:cpu", "xla:cpu", "xla:cuda"}

// Backends lists the backends tlx knows, each checked by starting it. A
// backend that fails to start is listed with its error.
func Backends() []BackendInfo {
	var out []BackendInfo
	for _, config := range knownBackends {
		info := BackendInfo{Name: config}
		if b, err := startExactly(config); err != nil {
			info.Reason = err.Error()
		} else {
			info.Available = true
			b.Finalize()
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
// TLX_BACKEND_ORDER=onnx:cpu,go. Unset, DefaultOrder is tried.
const OrderEnvVar = "TLX_BACKEND_ORDER"

// Backend returns the process's backend, started on first use:
// GOMLX_BACKEND if set (it always wins), else the first of
// $TLX_BACKEND_ORDER that starts, else the first of DefaultOrder that
// starts. It says on stderr, in one line, which backend it took when that
// was its own choice (and why), or when the backend asked for could not
// start (then it falls back to the Go backend, so a notebook never holds an
// invalid handle).
func Backend() (compute.Backend, error) {
	defaultBackendOnce.Do(func() {
		config := os.Getenv(compute.ConfigEnvVar)
		var why string
		if config == "" {
			if order := os.Getenv(OrderEnvVar); order != "" {
				config = FirstAvailable(strings.Split(order, ","))
			} else {
				config, why = chooseDefault()
			}
		}
		var notice string
		defaultBackend, notice, defaultBackendErr = Start(config)
		switch {
		case notice != "":
			fmt.Fprintln(os.Stderr, "tlx:", notice)
		case why != "":
			fmt.Fprintf(os.Stderr, "tlx: backend %s (%s)\n", config, why)
		}
		if defaultBackend != nil {
			manifest.Record("backend", "GoMLX backend", defaultBackend.Name())
		}
	})
	return defaultBackend, defaultBackendErr
}

// FirstAvailable returns the first configuration in order whose backend
// starts here ("go" when none does).
func FirstAvailable(order []string) string {
	for _, config := range order {
		config = strings.TrimSpace(config)
		if config == "" {
			continue
		}
		if b, err := startExactly(config); err == nil {
			b.Finalize()
			return config
		}
	}
	return "go"
}

// Start starts the backend named by config (GOMLX_BACKEND syntax, e.g.
// "go", "onnx:cpu", "xla:cpu", "xla:cuda"; "" means "go"). When that
// backend does not start, it starts the Go backend instead and says why in
// notice; it never returns a backend that failed to start.
func Start(config string) (b compute.Backend, notice string, err error) {
	if config != "" && config != "go" {
		if b, err = startExactly(config); err == nil {
			return b, "", nil
		}
		notice = fmt.Sprintf("%v; using the Go backend", err)
	}
	b, err = compute.NewWithConfig("go")
	if err != nil {
		return nil, notice, fmt.Errorf("starting the Go backend: %w", err)
	}
	return b, notice, nil
}

// startExactly starts config's backend or says why it did not start.
func startExactly(config string) (compute.Backend, error) {
	name, _, _ := strings.Cut(config, ":")
	if !slices.Contains(compute.List(), name) {
		return nil, fmt.Errorf("backend %q is not compiled into this program (available: %s)", config, strings.Join(compute.List(), ", "))
	}
	b, err := compute.NewWithConfig(resolveXLA(config))
	if err != nil {
		return nil, fmt.Errorf("backend %q did not start: %w", config, err)
	}
	return b, nil
}
