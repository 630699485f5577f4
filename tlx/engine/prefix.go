package engine

import (
	"fmt"
	"os"
	"strings"

	"github.com/gomlx/compute"
)

// PrefixEnvVar names the backend that computes the features of a frozen
// prefix (mixed execution, fit.Config.PrefixBackend), e.g.
// TLX_PREFIX_BACKEND=onnx:cpu; "same" keeps them on the training backend.
const PrefixEnvVar = "TLX_PREFIX_BACKEND"

// DefaultPrefix is the backend that computes frozen prefixes when
// TLX_PREFIX_BACKEND is not set and the training backend is not already
// it: ONNX Runtime, which ran the forward passes 2–3x faster than the Go
// backend and, unlike XLA, compiles in well under a second (see the
// package documentation).
const DefaultPrefix = "onnx:cpu"

// PrefixBackend starts the backend that should compute the frozen prefix
// of a model that trains on main: $TLX_PREFIX_BACKEND if set (an error if
// it does not start: the user asked for it), else DefaultPrefix when main
// is the Go backend and DefaultPrefix starts. It returns nil when main
// itself should do it (then there is nothing to finalize); a backend it
// returns is the caller's to finalize.
func PrefixBackend(main compute.Backend) (compute.Backend, error) {
	config := os.Getenv(PrefixEnvVar)
	switch {
	case config == "same":
		return nil, nil
	case config != "":
		b, err := startExactly(config)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", PrefixEnvVar, err)
		}
		return b, nil
	case main == nil || !isGoBackend(main):
		return nil, nil
	}
	b, err := startExactly(DefaultPrefix)
	if err != nil {
		return nil, nil // the Go backend computes it, as it would have anyway
	}
	return b, nil
}

// isGoBackend reports whether b is the pure-Go backend.
func isGoBackend(b compute.Backend) bool {
	return strings.HasPrefix(strings.ToLower(b.Name()), "go")
}
