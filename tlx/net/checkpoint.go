package net

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
)

// SaveCheckpoint writes the model's weights as a GoMLX checkpoint in dir
// (GoMLX's own format: a JSON index and a binary file per save), for
// programs that use GoMLX directly.
func (m *Model) SaveCheckpoint(dir string) error {
	if _, err := m.Init(); err != nil {
		return err
	}
	// Save only the model's weights: a store holding just them.
	store := model.NewStore()
	for _, v := range m.weights() {
		t, err := v.Value()
		if err != nil {
			return fmt.Errorf("saving checkpoint %s: %s: %w", dir, v.Path(), err)
		}
		c, err := t.LocalClone()
		if err != nil {
			return err
		}
		scope, name := splitPath(v.Path())
		store.Scope(scope).VariableWithValue(name, c)
	}
	h, err := checkpoint.Build(store).Dir(dir).Keep(3).Done()
	if err != nil {
		return fmt.Errorf("saving checkpoint %s: %w", dir, err)
	}
	if err := h.Save(); err != nil {
		return fmt.Errorf("saving checkpoint %s: %w", dir, err)
	}
	return nil
}

// LoadCheckpoint reads the latest GoMLX checkpoint in dir into the model.
// As with LoadWeights, every variable of the groups (except those in skip)
// must be there with its shape, and the checkpoint must hold nothing else
// under the model's groups.
func (m *Model) LoadCheckpoint(dir string, skip ...string) error {
	if _, err := m.Init(); err != nil {
		return err
	}
	h, err := checkpoint.Load(model.NewStore()).Dir(dir).Done()
	if err != nil {
		return fmt.Errorf("loading checkpoint %s: %w", dir, err)
	}
	// GoMLX keys values by "var:" + path.
	loaded := map[string]*tensors.Tensor{}
	for key, t := range h.LoadedVariables() {
		if p, ok := strings.CutPrefix(key, "var:"); ok {
			loaded[p] = t
		}
	}
	if len(loaded) == 0 {
		return fmt.Errorf("loading checkpoint %s: no variables (is it a GoMLX checkpoint folder?)", dir)
	}
	used := map[string]bool{}
	for _, g := range m.Groups {
		if slices.Contains(skip, g.Name) {
			continue
		}
		for _, v := range m.Variables(g.Name) {
			t, ok := loaded[v.Path()]
			if !ok {
				return fmt.Errorf("loading checkpoint %s: no value for %s", dir, v.Path())
			}
			if !t.Shape().Equal(v.Shape()) {
				return fmt.Errorf("loading checkpoint %s: %s is %s in the checkpoint, %s in model %s", dir, v.Path(), t.Shape(), v.Shape(), m.Name)
			}
			if err := v.SetValue(t); err != nil {
				return fmt.Errorf("loading checkpoint %s: %s: %w", dir, v.Path(), err)
			}
			used[v.Path()] = true
		}
	}
	for p := range loaded {
		if g := m.GroupOf(p); g != nil && !used[p] && !slices.Contains(skip, g.Name) {
			return fmt.Errorf("loading checkpoint %s: %s has no variable in model %s (another architecture?)", dir, p, m.Name)
		}
	}
	return nil
}

// splitPath splits "/a/b/name" into "/a/b" and "name".
func splitPath(p string) (scope, name string) {
	i := strings.LastIndex(p, "/")
	return p[:max(i, 1)], p[i+1:]
}
