package engine

// tlx registers GoMLX's XLA backend ("xla:cpu", "xla:cuda"). It needs a
// PJRT plugin on disk. For the CPU, scripts/setup.sh installs one from
// PyPI into the tree's Python environment (see PluginPackage) and tlx finds
// it there by itself, unless a folder of PJRT_PLUGIN_LIBRARY_PATH holds a
// CPU plugin of its own; that variable is also where go-xla finds other
// plugins (on the lent GPU machines, jax's CUDA plugin from the pip package
// jax-cuda13-pjrt). go-xla reads it when the program starts. go-xla's download of plugins is
// off (nothing may be downloaded at run time): a missing plugin makes Start
// fall back to the Go backend with the reason.

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/go-xla/compute/xla"
)

// PluginPackage is the PyPI package (pinned in
// scripts/python/requirements.in) whose PJRT CPU plugin runs "xla:cpu":
// XLA's CPU client built from the XLA of jaxlib 0.11.2, Apache-2.0 (with
// its third-party notices), PJRT C API 0.115 (go-xla v0.4.13 is built
// against 0.104; the API is versioned to stay compatible).
const PluginPackage = "lammps-jax-pjrt-cpu==0.11.2"

// pluginFile is the plugin's path inside site-packages.
var pluginFile = filepath.Join("lammps_jax_pjrt_cpu", "pjrt_c_api_cpu_plugin.so")

func init() {
	xla.EnableAutoInstall(false)
	if os.Getenv(xla.NoAutoInstallEnv) == "" {
		os.Setenv(xla.NoAutoInstallEnv, "1")
	}
}

// CPUPlugin returns the PJRT CPU plugin setup installed under the tlx tree
// (.tlx/venv/lib/python3*/site-packages/...), or "" when there is none.
func CPUPlugin() string {
	root := Root()
	if root == "" {
		return ""
	}
	matches, _ := filepath.Glob(filepath.Join(root, ".tlx", "venv", "lib", "python3*", "site-packages", pluginFile))
	slices.Sort(matches)
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && st.Mode().IsRegular() {
			return m
		}
	}
	return ""
}

// resolveXLA maps "xla:cpu" (or plain "xla") to tlx's own CPU plugin, by
// absolute path, unless a folder of PJRT_PLUGIN_LIBRARY_PATH holds a CPU
// plugin (a GPU machine's path holding only CUDA's keeps tlx's CPU plugin
// reachable). Other configurations, and options after a comma, pass
// through unchanged.
func resolveXLA(config string) string {
	name, rest, _ := strings.Cut(config, ":")
	if name != "xla" {
		return config
	}
	plugin, options, _ := strings.Cut(rest, ",")
	if plugin != "" && plugin != "cpu" {
		return config
	}
	if hasCPUPlugin(os.Getenv("PJRT_PLUGIN_LIBRARY_PATH")) {
		return config
	}
	path := CPUPlugin()
	if path == "" {
		return config
	}
	if options != "" {
		path += "," + options
	}
	return "xla:" + path
}

// hasCPUPlugin reports whether a folder of the ":"-separated list holds a
// file go-xla would take as its "cpu" plugin.
func hasCPUPlugin(paths string) bool {
	for _, dir := range filepath.SplitList(paths) {
		if dir == "" {
			continue
		}
		for _, pattern := range []string{"pjrt_c_api_cpu*_plugin.so", "pjrt-plugin-cpu*.so", "pjrt_plugin_cpu*.so"} {
			if m, _ := filepath.Glob(filepath.Join(dir, pattern)); len(m) > 0 {
				return true
			}
		}
	}
	return false
}
