// Package testutil holds what tlx's tests share: fixtures generated once
// per test binary by an external oracle (PyTorch, tfjs), layout
// conversions and output comparisons.
package testutil

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// FixtureSet is a folder of fixtures generated once per test binary.
type FixtureSet struct{ dir func() (string, error) }

// Path returns the fixture called name, generating the set on first use;
// a generator failure fails the test.
func (f *FixtureSet) Path(t testing.TB, name string) string {
	t.Helper()
	dir, err := f.dir()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name)
}

// Fixtures returns the set that command generates (run from the test's
// directory, with the folder appended to args). hint says what installs
// the generator.
func Fixtures(hint, command string, args ...string) *FixtureSet {
	return &FixtureSet{dir: sync.OnceValues(func() (string, error) {
		dir, err := os.MkdirTemp("", "tlx-fixtures")
		if err != nil {
			return "", err
		}
		cmd := exec.Command(command, append(args, dir)...)
		if root, err := RepoRoot(); err == nil {
			cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(root, ".tlx/npm/node_modules"))
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("generating fixtures with %s %v (%s): %w\n%s", command, args, hint, err, out)
		}
		return dir, nil
	})}
}

// RepoRoot is the module root above the current directory (where setup
// puts .tlx/).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// NCHWToNHWC reorders images from PyTorch's layout to tlx's; shape is
// [N, C, H, W] and the new shape is returned.
func NCHWToNHWC(data []float32, shape []int) ([]float32, []int) {
	n, c, h, w := shape[0], shape[1], shape[2], shape[3]
	out := make([]float32, len(data))
	for i := range n {
		for ch := range c {
			for y := range h {
				for x := range w {
					out[((i*h+y)*w+x)*c+ch] = data[((i*c+ch)*h+y)*w+x]
				}
			}
		}
	}
	return out, []int{n, h, w, c}
}

// MaxDiff returns max |got - want| and max |want|.
func MaxDiff(got, want []float32) (worst, scale float64) {
	for i := range want {
		worst = math.Max(worst, math.Abs(float64(got[i]-want[i])))
		scale = math.Max(scale, math.Abs(float64(want[i])))
	}
	return worst, scale
}
