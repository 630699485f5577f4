package net

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/tlx-go/tlx/tlx/safetensors"
)

// weights returns the model's own variables (those under a group), by
// path: the optimizer's and trainer's state is left out.
func (m *Model) weights() []*model.Variable {
	var vars []*model.Variable
	for _, g := range m.Groups {
		vars = append(vars, m.Variables(g.Name)...)
	}
	slices.SortFunc(vars, func(a, b *model.Variable) int { return strings.Compare(a.Path(), b.Path()) })
	return vars
}

// SaveWeights writes every group's variables (BatchNorm averages included)
// to a safetensors file, atomically: a reader never sees half a file.
func (m *Model) SaveWeights(path string) error {
	if _, err := m.Init(); err != nil {
		return err
	}
	out := map[string]safetensors.Tensor{}
	for _, v := range m.weights() {
		t, err := v.Value()
		if err != nil {
			return fmt.Errorf("saving %s: variable %s: %w", path, v.Path(), err)
		}
		if t.DType() != dtypes.Float32 {
			return fmt.Errorf("saving %s: variable %s is %s, only float32 is supported", path, v.Path(), t.DType())
		}
		out[strings.TrimPrefix(v.Path(), "/")] = safetensors.FromFloat32s(tensors.MustCopyFlatData[float32](t), t.Shape().Dimensions...)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := safetensors.Write(tmp, out, map[string]string{"format": "tlx", "model": m.Name}); err != nil {
		tmp.Close()
		return fmt.Errorf("saving %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// LoadWeights reads weights saved by SaveWeights (or any safetensors file
// with the same names) into the model. Every variable of the groups must be
// in the file with the same shape, except those of the groups named in
// skip (e.g. "head" when the file comes from a model with another head).
// Tensors in the file that the model lacks are an error too: they mean
// the file belongs to another architecture.
func (m *Model) LoadWeights(path string, skip ...string) error {
	if _, err := m.Init(); err != nil {
		return err
	}
	file, err := safetensors.ReadFile(path)
	if err != nil {
		return fmt.Errorf("loading weights from %s: %w", path, err)
	}
	skipped := func(name string) bool {
		for _, s := range skip {
			if strings.HasPrefix(name, s+"/") {
				return true
			}
		}
		return false
	}
	used := map[string]bool{}
	for _, v := range m.weights() {
		name := strings.TrimPrefix(v.Path(), "/")
		if skipped(name) {
			continue
		}
		t, ok := file.Tensors[name]
		if !ok {
			return fmt.Errorf("loading weights from %s: tensor %q (shape %v) is missing", path, name, v.Shape().Dimensions)
		}
		if !slices.Equal(t.Shape, v.Shape().Dimensions) {
			return fmt.Errorf("loading weights from %s: tensor %q has shape %v, the model wants %v", path, name, t.Shape, v.Shape().Dimensions)
		}
		values, err := t.Float32s()
		if err != nil {
			return fmt.Errorf("loading weights from %s: tensor %q: %w", path, name, err)
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(values, t.Shape...)); err != nil {
			return fmt.Errorf("loading weights from %s: setting %q: %w", path, name, err)
		}
		used[name] = true
	}
	var extra []string
	for name := range file.Tensors {
		if !used[name] && !skipped(name) {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return fmt.Errorf("loading weights from %s: the file has tensors the model %s lacks: %s", path, m.Name, strings.Join(extra[:min(5, len(extra))], ", "))
	}
	return nil
}

// WeightsHash is a SHA-256 over the model's variable names, shapes and
// values (of the named groups only, when given): equal hashes mean equal
// weights.
func (m *Model) WeightsHash(groups ...string) (string, error) {
	if _, err := m.Init(); err != nil {
		return "", err
	}
	vars := m.weights()
	if len(groups) > 0 {
		vars = nil
		for _, g := range groups {
			if m.index(g) < 0 {
				return "", fmt.Errorf("model %s has no group %q", m.Name, g)
			}
			vars = append(vars, m.Variables(g)...)
		}
	}
	h := sha256.New()
	for _, v := range vars {
		t, err := v.Value()
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s%v;", v.Path(), t.Shape().Dimensions)
		for _, x := range tensors.MustCopyFlatData[float32](t) {
			var b [4]byte
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(x))
			h.Write(b[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Values returns host copies of the values of the named groups' variables
// (every group's when none is named), by path: a snapshot that training
// does not touch.
func (m *Model) Values(groups ...string) (map[string]*tensors.Tensor, error) {
	if len(groups) == 0 {
		groups = m.GroupNames()
	}
	out := map[string]*tensors.Tensor{}
	for _, g := range groups {
		if m.index(g) < 0 {
			return nil, fmt.Errorf("model %s has no group %q", m.Name, g)
		}
		for _, v := range m.Variables(g) {
			t, err := v.Value()
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", v.Path(), err)
			}
			c, err := t.LocalClone()
			if err != nil {
				return nil, err
			}
			out[v.Path()] = c
		}
	}
	return out, nil
}

// SetValues puts values (as returned by Values) back into the model's
// variables; paths the model lacks are ignored.
func (m *Model) SetValues(values map[string]*tensors.Tensor) error {
	for _, g := range m.Groups {
		for _, v := range m.Variables(g.Name) {
			if t, ok := values[v.Path()]; ok {
				if err := v.SetValue(t); err != nil {
					return fmt.Errorf("setting %s: %w", v.Path(), err)
				}
			}
		}
	}
	return nil
}

// CopyWeights copies the values of every group of src that dst also has
// into dst, except the groups named in skip (e.g. "head"): a model with
// another head can then be evaluated on the weights src learned.
func CopyWeights(dst, src *Model, skip ...string) error {
	if _, err := src.Init(); err != nil {
		return err
	}
	if _, err := dst.Init(); err != nil {
		return err
	}
	for _, g := range src.Groups {
		if slices.Contains(skip, g.Name) || dst.index(g.Name) < 0 {
			continue
		}
		for _, v := range src.Variables(g.Name) {
			w := dst.Store.GetVariable(v.Path())
			if w == nil || !w.Shape().Equal(v.Shape()) {
				return fmt.Errorf("copying weights: %s of %s has no match of shape %v in %s", v.Path(), src.Name, v.Shape().Dimensions, dst.Name)
			}
			t, err := v.Value()
			if err != nil {
				return err
			}
			c, err := t.LocalClone()
			if err != nil {
				return err
			}
			if err := w.SetValue(c); err != nil {
				return fmt.Errorf("copying %s: %w", v.Path(), err)
			}
		}
	}
	return nil
}

// GroupValues returns a copy of the float32 values of a group's variables,
// by path (for drift and freezing checks).
func (m *Model) GroupValues(name string) (map[string][]float32, error) {
	if _, err := m.Init(); err != nil {
		return nil, err
	}
	if m.index(name) < 0 {
		return nil, fmt.Errorf("model %s has no group %q", m.Name, name)
	}
	out := map[string][]float32{}
	for _, v := range m.Variables(name) {
		t, err := v.Value()
		if err != nil {
			return nil, err
		}
		out[v.Path()] = tensors.MustCopyFlatData[float32](t)
	}
	return out, nil
}
