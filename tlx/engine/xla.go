//go:build xla

package engine

// Built with -tags xla, tlx registers GoMLX's XLA backend ("xla:cpu",
// "xla:cuda"). It needs a PJRT plugin on disk: PJRT_PLUGIN_LIBRARY_PATH
// names the folder (on the lent GPU machines, jax's CUDA plugin from the
// pip package jax-cuda13-pjrt). tlx turns off go-xla's download of plugins
// (nothing can be downloaded here): a missing plugin makes Start fall back
// to the Go backend with the reason.

import (
	"os"

	_ "github.com/gomlx/go-xla/compute/xla"
)

func init() {
	if os.Getenv("GOMLX_NO_AUTO_INSTALL") == "" {
		os.Setenv("GOMLX_NO_AUTO_INSTALL", "1")
	}
}
