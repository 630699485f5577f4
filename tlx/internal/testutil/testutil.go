// Package testutil holds what tlx's tests share: fixtures generated once
// per test binary by an external oracle (PyTorch, tfjs), layout
// conversions and output comparisons.
package testutil

import (
	"crypto/sha256"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
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
//
// A set is generated once and kept under .tlx/fixtures in the tree, keyed
// by the command, its arguments and the files in the folder of each
// argument file (the generator script and what it imports beside it):
// later test runs reuse it, an edited script makes a new set, and nothing
// piles up in the temporary folder. TLX_FIXTURES_FRESH=1 generates every
// set again, replacing the kept one (after the oracle itself changed).
func Fixtures(hint, command string, args ...string) *FixtureSet {
	return &FixtureSet{dir: sync.OnceValues(func() (string, error) {
		return generate(hint, command, args)
	})}
}

// generate makes (or finds) the fixture folder of one generator.
func generate(hint, command string, args []string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	key, err := fixtureKey(command, args)
	if err != nil {
		return "", err
	}
	base := filepath.Join(root, ".tlx", "fixtures")
	dir := filepath.Join(base, key)
	if os.Getenv("TLX_FIXTURES_FRESH") != "1" {
		if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
			return dir, nil
		}
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(base, ".tmp-"+key)
	if err != nil {
		return "", err
	}
	cmd := exec.Command(command, append(slices.Clone(args), tmp)...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(root, ".tlx/npm/node_modules"))
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("generating fixtures with %s %v (%s): %w\n%s", command, args, hint, err, out)
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	os.RemoveAll(dir) // an incomplete or (fresh mode) older set
	if err := os.Rename(tmp, dir); err != nil {
		// Another test process made the set meanwhile: use its.
		os.RemoveAll(tmp)
		if _, serr := os.Stat(filepath.Join(dir, ".complete")); serr == nil {
			return dir, nil
		}
		return "", fmt.Errorf("keeping fixtures in %s: %w", dir, err)
	}
	return dir, nil
}

// fixtureKey names a generator's set: the script's base name and a hash
// of the command, the arguments, and the files beside every argument that
// is a file (the script and what it imports from its folder).
func fixtureKey(command string, args []string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%q %q\n", command, args)
	name := filepath.Base(command)
	for _, a := range args {
		if st, err := os.Stat(a); err != nil || !st.Mode().IsRegular() {
			continue // not a file: the argument itself is hashed above
		}
		name = strings.TrimSuffix(filepath.Base(a), filepath.Ext(a))
		entries, err := os.ReadDir(filepath.Dir(a))
		if err != nil {
			return "", err
		}
		for _, e := range entries { // sorted by name
			if info, err := e.Info(); err != nil || !info.Mode().IsRegular() || info.Size() > 16<<20 {
				continue
			}
			b, err := os.ReadFile(filepath.Join(filepath.Dir(a), e.Name()))
			if err != nil {
				return "", err
			}
			fmt.Fprintf(h, "%s %d\n", e.Name(), len(b))
			h.Write(b)
		}
	}
	return fmt.Sprintf("%s-%x", name, h.Sum(nil)[:8]), nil
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
