package engine

import (
	"os"
	"path/filepath"
)

// Root returns the tlx tree that holds what setup installed (.tlx/lib,
// .tlx/venv): $TLX_ROOT when set (the kernel and the scripts set it), else
// the nearest folder at or above the current one that has a .tlx folder
// (so `go test` inside the tree finds it too), else "".
func Root() string {
	if root := os.Getenv("TLX_ROOT"); root != "" {
		return root
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if st, err := os.Stat(filepath.Join(dir, ".tlx")); err == nil && st.IsDir() {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
