package tlx

import (
	"github.com/gomlx/compute"
	"github.com/tlx-go/tlx/tlx/engine"
)

// BackendInfo says whether one GoMLX backend can run here, and why not.
type BackendInfo = engine.BackendInfo

// Backends lists the backends tlx knows and whether each can run here.
func Backends() []BackendInfo { return engine.Backends() }

// Backend returns the process's backend (see engine.Backend).
func Backend() (compute.Backend, error) { return engine.Backend() }
