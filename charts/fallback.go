package charts

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"
)

//go:embed ssr.js
var ssrJS []byte

// FallbackWidth and FallbackHeight size the static preview, in pixels.
var (
	FallbackWidth  = 900
	FallbackHeight = 360
)

// maxFallbackPoints bounds the points of scatter series drawn in the static
// preview (sampled evenly), so a large scatter's output stays small.
const maxFallbackPoints = 400

var (
	ecmeta    = regexp.MustCompile(` (ecmeta_[a-z_]+|pointer-events|class)="[^"]*"`)
	longNum   = regexp.MustCompile(`(\d+\.\d)\d+`)
	svgTag    = regexp.MustCompile(`<[^>]*>`)
	symbol    = regexp.MustCompile(`<path d="M1 0A1 1 0 1 1 1 -0\.1A1 1 0 0 1 1 0" transform="matrix\(([\d.]+),0,0,[\d.]+,([-\d.]+),([-\d.]+)\)" fill="([^"]*)"( fill-opacity="[^"]*")?></path>`)
	nodeFound = func() string { p, _ := exec.LookPath("node"); return p }()
)

// echartsModules finds the node_modules folder holding echarts: under
// $TLX_ROOT/.tlx/npm (where setup installs it).
func echartsModules() string {
	root := os.Getenv("TLX_ROOT")
	if root == "" {
		return ""
	}
	dir := filepath.Join(root, ".tlx", "npm", "node_modules")
	if _, err := os.Stat(filepath.Join(dir, "echarts", "package.json")); err != nil {
		return ""
	}
	return dir
}

// StaticSVG renders the chart options to SVG with echarts' server-side
// renderer under Node.js: the preview a viewer without JavaScript sees.
// Scatter series are sampled to maxFallbackPoints points in all, and the
// SVG is compacted (numbers to one decimal, symbols as circles).
func StaticSVG(option []byte) ([]byte, error) {
	modules := echartsModules()
	if nodeFound == "" || modules == "" {
		return nil, fmt.Errorf("static preview needs node and echarts under $TLX_ROOT/.tlx/npm (run scripts/setup.sh)")
	}
	var opt map[string]any
	if err := json.Unmarshal(option, &opt); err != nil {
		return nil, fmt.Errorf("chart options are not JSON: %w", err)
	}
	sampleScatter(opt)
	req, err := json.Marshal(map[string]any{"width": FallbackWidth, "height": FallbackHeight, "option": opt})
	if err != nil {
		return nil, err
	}
	script, err := os.CreateTemp("", "tlx-ssr-*.js")
	if err != nil {
		return nil, err
	}
	defer os.Remove(script.Name())
	script.Write(ssrJS)
	script.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodeFound, script.Name())
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	cmd.Stdin = bytes.NewReader(req)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("echarts server-side rendering: %v: %s", err, stderr.String())
	}
	svg := ecmeta.ReplaceAll(out.Bytes(), nil)
	svg = symbol.ReplaceAll(svg, []byte(`<circle cx="$2" cy="$3" r="$1" fill="$4"$5/>`))
	// Coordinates are rounded inside tags only: text (titles, axis labels,
	// "accuracy 0.844") keeps every digit it was given.
	svg = svgTag.ReplaceAllFunc(svg, func(tag []byte) []byte { return longNum.ReplaceAll(tag, []byte("$1")) })
	return svg, nil
}

// sampleScatter keeps an even sample of each scatter series' points.
func sampleScatter(opt map[string]any) {
	series, _ := opt["series"].([]any)
	total := 0
	for _, s := range series {
		if m, ok := s.(map[string]any); ok && m["type"] == "scatter" {
			data, _ := m["data"].([]any)
			total += len(data)
		}
	}
	if total <= maxFallbackPoints {
		return
	}
	for _, s := range series {
		m, ok := s.(map[string]any)
		if !ok || m["type"] != "scatter" {
			continue
		}
		data, _ := m["data"].([]any)
		keep := max(1, len(data)*maxFallbackPoints/total)
		var sampled []any
		for i := range keep {
			sampled = append(sampled, data[i*len(data)/keep])
		}
		m["data"] = sampled
	}
}
