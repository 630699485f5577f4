// Package headless opens a page in headless Chromium (Debian's chromium)
// and returns what a person would see: the DOM after scripts ran, and a
// screenshot. tlx's tests use it to prove that reports draw their charts
// with no network.
package headless

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Browser is the Chromium binary used.
var Browser = "/usr/bin/chromium"

// flags keep Chromium off the network and quiet on a machine with none.
var flags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"}

// Page is a page as rendered.
type Page struct {
	DOM        string      // document after scripts ran
	Screenshot image.Image // viewport of Width×Height
	PNG        []byte      // the screenshot as PNG
}

// Options sizes the viewport and the time scripts get.
type Options struct {
	Width, Height int // default 1200×2000
	BudgetMS      int // virtual time for scripts, default 5000
}

// Open renders the local HTML file at path.
func Open(path string, o Options) (*Page, error) {
	if o.Width == 0 {
		o.Width, o.Height = 1200, 2000
	}
	if o.BudgetMS == 0 {
		o.BudgetMS = 5000
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	profile, err := os.MkdirTemp("", "tlx-chromium-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(profile)
	url := "file://" + abs
	common := append(append([]string{}, flags...), "--user-data-dir="+profile,
		fmt.Sprintf("--virtual-time-budget=%d", o.BudgetMS), fmt.Sprintf("--window-size=%d,%d", o.Width, o.Height))

	var dom, stderr bytes.Buffer
	cmd := exec.Command(Browser, append(common, "--dump-dom", url)...)
	cmd.Stdout, cmd.Stderr = &dom, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("chromium --dump-dom %s: %w\n%s", path, err, lastLines(stderr.String(), 10))
	}
	shot := filepath.Join(profile, "shot.png")
	cmd = exec.Command(Browser, append(common, "--screenshot="+shot, url)...)
	stderr.Reset()
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("chromium --screenshot %s: %w\n%s", path, err, lastLines(stderr.String(), 10))
	}
	data, err := os.ReadFile(shot)
	if err != nil {
		return nil, fmt.Errorf("chromium wrote no screenshot of %s: %w", path, err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decoding screenshot of %s: %w", path, err)
	}
	return &Page{DOM: dom.String(), Screenshot: img, PNG: data}, nil
}

// InkFraction is the share of pixels in the screenshot that are not
// (near) white: 0 for a blank page.
func (p *Page) InkFraction() float64 {
	b := p.Screenshot.Bounds()
	ink := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.GrayModel.Convert(p.Screenshot.At(x, y)).(color.Gray)
			if c.Y < 240 {
				ink++
			}
		}
	}
	return float64(ink) / float64(b.Dx()*b.Dy())
}

// DistinctColors counts the colours in the screenshot (a chart's lines and
// symbols add colours that text on white does not have).
func (p *Page) DistinctColors() int {
	seen := map[color.RGBA]bool{}
	b := p.Screenshot.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := p.Screenshot.At(x, y).RGBA()
			seen[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 255}] = true
		}
	}
	return len(seen)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// SaveArtifact writes data under $TLX_ARTIFACTS (default .tlx/artifacts in
// the tlx tree, else the temp folder) for people to look at after a test.
func SaveArtifact(name string, data []byte) error {
	dir := os.Getenv("TLX_ARTIFACTS")
	if dir == "" {
		if root := os.Getenv("TLX_ROOT"); root != "" {
			dir = filepath.Join(root, ".tlx", "artifacts")
		} else {
			dir = filepath.Join(os.TempDir(), "tlx-artifacts")
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name), data, 0o644)
}
