package engine

// tlx registers GoMLX's ONNX Runtime backend ("onnx:cpu"). The runtime
// library comes from the npm package onnxruntime-node, which
// scripts/setup.sh unpacks to $TLX_ROOT/.tlx/lib/libonnxruntime.so.1;
// ONNXRUNTIME_SHARED_LIBRARY_PATH overrides it. Downloads are off: a
// missing or broken library makes Start fall back to the Go backend with
// the reason.
//
// ONNX Runtime turns variables into constants (fast inference of frozen
// prefixes, see fit.Config.PrefixBackend) and runs tlx's own layers'
// training graphs (tlx/nn avoids the ops whose gradients it lacks).

import (
	"os"
	"path/filepath"

	onnxbackend "github.com/gomlx/compute-onnx"
)

func init() {
	// Nothing can be downloaded here: never try to fetch a runtime.
	onnxbackend.EnableAutoInstall(false)
	if os.Getenv("ONNXRUNTIME_SHARED_LIBRARY_PATH") == "" {
		if root := Root(); root != "" {
			lib := filepath.Join(root, ".tlx", "lib", "libonnxruntime.so.1")
			if _, err := os.Stat(lib); err == nil {
				os.Setenv("ONNXRUNTIME_SHARED_LIBRARY_PATH", lib)
			}
		}
	}
}
