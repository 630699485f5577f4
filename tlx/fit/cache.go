package fit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/engine"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/safetensors"
)

// cacheFormat versions the cache files and key.
const cacheFormat = "tlx-features-v1"

// cachablePrefix returns the last group of the longest frozen prefix whose
// outputs can be cached, or "" and why not (an empty reason when caching
// simply does not apply because the first group trains).
func cachablePrefix(m *net.Model, cfg Config) (last, reason string) {
	if cfg.FeatureCache == CacheOff {
		return "", ""
	}
	n := 0
	for n < len(m.Groups) && m.Groups[n].Frozen {
		n++
	}
	if n == 0 {
		return "", ""
	}
	if cfg.Augment.active() {
		return "", "augmentation changes the frozen groups' inputs every epoch"
	}
	if cfg.Objective != nil || cfg.Extra != nil {
		return "", "an Objective (or Extra data) needs the whole model in the training step"
	}
	for _, g := range m.Groups[:n] {
		if g.BN == net.BNTrain {
			return "", fmt.Sprintf("group %s is frozen but its BatchNorm uses batch statistics (BNTrain)", g.Name)
		}
	}
	return m.Groups[n-1].Name, ""
}

// CacheDir returns where cached features live by default: $TLX_CACHE/features,
// else the user cache folder's tlx/features.
func CacheDir() string {
	if d := os.Getenv("TLX_CACHE"); d != "" {
		return filepath.Join(d, "features")
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "tlx", "features")
	}
	return filepath.Join(os.TempDir(), "tlx-features")
}

// cachedFeatures returns d mapped through the model's groups up to last,
// from disk when the same weights and data were seen before. The key covers
// the prefix's weights, group names and the data, so a change to any of
// them computes afresh (and leaves the old file in place).
func cachedFeatures(m *net.Model, last string, d *data.Dataset, cfg Config) (*data.Dataset, bool, error) {
	var groups []string
	for _, g := range m.Groups {
		groups = append(groups, g.Name)
		if g.Name == last {
			break
		}
	}
	wh, err := m.WeightsHash(groups...)
	if err != nil {
		return nil, false, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%v|%v|%s|%s", cacheFormat, m.Name, m.InputShape, groups, wh, d.Fingerprint())
	key := hex.EncodeToString(h.Sum(nil))[:32]
	dir := cfg.CacheDir
	if dir == "" {
		dir = CacheDir()
	}
	path := filepath.Join(dir, key+".safetensors")
	out := &data.Dataset{Name: d.Name + "@" + last, Y: d.Y, Classes: d.Classes}
	if file, err := safetensors.ReadFile(path); err == nil {
		if t, ok := file.Tensors["features"]; ok && len(t.Shape) >= 1 && t.Shape[0] == d.Len() {
			if out.X, err = t.Float32s(); err == nil {
				out.Shape = slices.Clone(t.Shape[1:])
				return out, true, nil
			}
		}
	} // A missing or unreadable cache file is computed (again) and replaced.
	exec, err := prefixExec(m, last, cfg.PrefixBackend)
	if err != nil {
		return nil, false, err
	}
	if cfg.PrefixBackend != nil {
		defer exec.Finalize() // its own executable; the model's cached ones stay
	}
	values, err := batchedOutput(exec, d, outputBatch(d.Size()))
	if err != nil && cfg.PrefixBackend != nil {
		// The other backend cannot run this prefix: the model's own can.
		fmt.Fprintf(os.Stderr, "tlx: the frozen prefix did not run on %s (%v); computing it on the training backend\n", cfg.PrefixBackend.Name(), err)
		if own, ownErr := m.RangeExec("", last); ownErr == nil {
			values, err = batchedOutput(own, d, outputBatch(d.Size()))
		}
	}
	if err != nil {
		return nil, false, fmt.Errorf("computing features of %s: %w", d.Name, err)
	}
	per := len(values) / d.Len()
	shapes, _ := m.Init()
	out.Shape = slices.Clone(shapes[slices.Index(m.GroupNames(), last)][1:])
	if prod(out.Shape) != per {
		return nil, false, fmt.Errorf("feature shape %v does not match %d values per example", out.Shape, per)
	}
	out.X = values
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, false, err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-features-")
	if err != nil {
		return nil, false, err
	}
	defer os.Remove(tmp.Name())
	err = safetensors.Write(tmp, map[string]safetensors.Tensor{"features": safetensors.FromFloat32s(values, append([]int{d.Len()}, out.Shape...)...)},
		map[string]string{"model": m.Name, "until": last, "data": d.Name})
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, false, fmt.Errorf("saving feature cache %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, false, err
	}
	return out, false, nil
}

func prod(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

// prefixExec builds the executable that computes the frozen prefix's
// outputs: on the model's backend, or on another one (mixed execution). On
// another backend the weights enter the graph as constants, read from the
// model's variables: nothing is trained there.
func prefixExec(m *net.Model, last string, other compute.Backend) (*model.Exec, error) {
	if other == nil {
		return m.RangeExec("", last)
	}
	// A store of constants for the other backend: the same variables,
	// values copied to host memory.
	consts := model.NewStore().WithVariableAsConst(true)
	values, err := m.Values()
	if err != nil {
		return nil, err
	}
	for path, t := range values {
		if _, err := consts.CreateVariable(path, t); err != nil {
			return nil, fmt.Errorf("copying %s for the prefix backend: %w", path, err)
		}
	}
	return model.NewExec(other, consts, func(scope *model.Scope, x *graph.Node) *graph.Node {
		return m.Forward(scope, x, false, last)
	})
}

// prepareInputs decides on the feature cache and sets r.train / r.val to
// what the trained part of the model reads.
func (r *runner) prepareInputs(train *data.Dataset) error {
	r.train, r.val = train, r.cfg.Val
	prefix, reason := cachablePrefix(r.m, r.cfg)
	if prefix != "" && train.Augmented() {
		prefix, reason = "", "the training images are augmented as they are decoded (data.ImageAugment)"
	}
	if prefix == "" {
		if reason != "" {
			r.note("feature cache off: %s", reason)
		}
		return nil
	}
	start := time.Now()
	if r.cfg.PrefixBackend == nil {
		// Only a cached prefix needs it: TLX_PREFIX_BACKEND, else the
		// engine's default for a model training on this backend.
		b, err := engine.PrefixBackend(r.backend)
		if err != nil {
			return err
		}
		if b != nil {
			r.cfg.PrefixBackend = b
			defer func() { b.Finalize(); r.cfg.PrefixBackend = nil }()
		}
	}
	tf, hit, err := cachedFeatures(r.m, prefix, train, r.cfg)
	if err != nil {
		return err
	}
	var vf *data.Dataset
	if r.val != nil {
		var vhit bool
		if vf, vhit, err = cachedFeatures(r.m, prefix, r.val, r.cfg); err != nil {
			return err
		}
		hit = hit && vhit
	}
	r.after, r.train, r.val = prefix, tf, vf
	state := "computed and saved"
	if hit {
		state = "loaded from disk"
	}
	on := ""
	if r.cfg.PrefixBackend != nil && !hit {
		on = " on " + r.cfg.PrefixBackend.Name()
	}
	r.note("feature cache on: groups up to %s are frozen, so their outputs (%v per example) were %s%s in %.1fs; training the rest on them",
		prefix, tf.Shape, state, on, time.Since(start).Seconds())
	return nil
}
