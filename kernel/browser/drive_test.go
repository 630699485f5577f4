package browser_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlx-go/tlx/kernel/headless"
)

// report is what testdata/drive.js saw in the page.
type report struct {
	FrontEnd, Mode string
	Blocked        []string // requests off loopback, refused
	Console        []string // the page's console errors
	Steps          []string // what the script did, with times
	LiveStates     []string // distinct texts of the live view's output while running
	LiveInk        struct { // the live chart while running, sampled
		Inked, Pixels   int      // its most inked canvas
		Samples, Charts int      // canvases and chart elements seen
		States          []string // the chart script's data-tlx values seen
		Ticks           int      // samples taken
		Error           string   // what sampling threw
		HTML            string   // the live output's markup in its second epoch
	}
	Cells []struct {
		Index       int
		Type        string
		Trusted     bool
		Outputs     []output
		ErrorsShown []string // texts of the cell's stderr-typed outputs as drawn
		LiveOutputs int      // outputs showing the live view's run name
	}
	Charts []struct {
		ID                        string
		Cell, Canvases            int
		CanvasPixels, CanvasInked int
		State                     string // the chart script's data-tlx attribute
		Shown                     bool
		PreviewsShown, InlineSVGs int
		Text                      string
	}
	Previews []struct {
		Cell  int
		Shown bool
		Width int
	}
	Canvases int      // canvases anywhere in the outputs
	Notes    []string // the charts' own notes (why a preview stayed)
}

type output struct{ Type, Ename, Evalue string }

// drive runs testdata/drive.js against s on notebook (mode "run" or
// "open"), saves its screenshot as the artifact shot and returns its report.
func drive(t *testing.T, s *server, frontEnd, notebook, mode, shot string, limit time.Duration) *report {
	t.Helper()
	root := os.Getenv("TLX_ROOT")
	dir := t.TempDir()
	png := filepath.Join(dir, "shot.png")
	cfg, err := json.Marshal(map[string]any{"url": s.URL, "token": s.Token, "frontEnd": frontEnd,
		"notebook": notebook, "mode": mode, "liveMarker": liveMarker, "screenshot": png,
		"timeoutMs": limit.Milliseconds()})
	if err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfgFile, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "testdata/drive.js", cfgFile)
	// On a timeout the whole group goes: node and the Chromium it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(root, ".tlx", "npm", "node_modules"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if data, rerr := os.ReadFile(png); rerr == nil {
		if serr := headless.SaveArtifact(shot, data); serr != nil {
			t.Logf("saving %s: %v", shot, serr)
		}
	}
	if err != nil {
		t.Fatalf("drive.js %s %s in %s: %v\n%s\n%s", mode, notebook, frontEnd, err, tail(stderr.String(), 3000), tail(stdout.String(), 2000))
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var r report
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		t.Fatalf("drive.js printed no report: %v\n%s", err, tail(stdout.String(), 2000))
	}
	return &r
}
