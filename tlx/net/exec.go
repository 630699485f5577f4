package net

import (
	"fmt"
	"slices"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/support/exceptions"
	"github.com/tlx-go/tlx/tlx/engine"
)

// execs caches inference executables per model and cut point. The graphs
// mark the store as training so that GoMLX passes the variables as
// parameters: the Go backend would otherwise bake the current weights in
// as constants and a cached executable would not see later training.
// tlx's own layers take their mode from the nn.Ctx, not from that flag.
type execCache struct {
	mu    sync.Mutex
	execs map[string]*model.Exec
}

var caches sync.Map // *Model -> *execCache

func (m *Model) cache() *execCache {
	c, _ := caches.LoadOrStore(m, &execCache{execs: map[string]*model.Exec{}})
	return c.(*execCache)
}

// forget drops cached executables after the model's structure changed.
func (m *Model) forget() {
	m.shapes = nil
	c := m.cache()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.execs {
		e.Finalize()
	}
	c.execs = map[string]*model.Exec{}
}

// Backend is the backend the model computes on: Compute if set, else
// engine.Backend.
func (m *Model) Backend() (compute.Backend, error) {
	if m.Compute != nil {
		return m.Compute, nil
	}
	return engine.Backend()
}

// RangeExec returns the model's inference executable for the groups after
// group after up to until (see ForwardRange; "" and "" is the whole model),
// compiled once and kept until the model's groups change. It belongs to the
// model: callers must not Finalize it.
func (m *Model) RangeExec(after, until string) (*model.Exec, error) {
	c := m.cache()
	c.mu.Lock()
	defer c.mu.Unlock()
	key := after + "|" + until
	if e, ok := c.execs[key]; ok {
		return e, nil
	}
	backend, err := m.Backend()
	if err != nil {
		return nil, err
	}
	e, err := model.NewExec(backend, m.Store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		m.Store.SetTraining(x.Graph(), true)
		return m.ForwardRange(scope, x, false, after, until)
	})
	if err != nil {
		return nil, fmt.Errorf("model %s: building the inference graph: %w", m.Name, err)
	}
	c.execs[key] = e
	return e, nil
}

// Output runs the model in inference mode on x [batch, InputShape...] and
// returns the output of group until ("" for the whole model: the logits).
func (m *Model) Output(x *tensors.Tensor, until string) (*tensors.Tensor, error) {
	if err := m.checkInput(x.Shape().Dimensions); err != nil {
		return nil, err
	}
	e, err := m.RangeExec("", until)
	if err != nil {
		return nil, err
	}
	var out *tensors.Tensor
	if err := exceptions.TryCatch[error](func() { out = e.MustCall1(x) }); err != nil {
		return nil, fmt.Errorf("model %s: %w", m.Name, err)
	}
	return out, nil
}

// Features runs the model up to its feature group (the embedding before the
// head) on x.
func (m *Model) Features(x *tensors.Tensor) (*tensors.Tensor, error) {
	return m.Output(x, m.FeatureGroup())
}

func (m *Model) checkInput(dims []int) error {
	if len(dims) != len(m.InputShape)+1 || !slices.Equal(dims[1:], m.InputShape) {
		return fmt.Errorf("model %s: input shape %v, want [batch %v] (batch first, then the example shape)", m.Name, dims, m.InputShape)
	}
	return nil
}

// Init creates and initialises every variable by running the model once
// on a batch of two zero examples, and returns each group's output shape
// (batch dimension first).
//
// Once done it only reruns after the groups change (Add, ReplaceHead) or
// when a variable lacks a value.
func (m *Model) Init() ([][]int, error) {
	if m.shapes != nil && m.allInitialised() {
		return m.shapes, nil
	}
	backend, err := m.Backend()
	if err != nil {
		return nil, err
	}
	var groupShapes [][]int
	walk, err := model.NewExec(backend, m.Store, func(scope *model.Scope, x *graph.Node) []*graph.Node {
		m.Store.SetTraining(x.Graph(), true)
		var outs []*graph.Node
		groupShapes = nil
		m.each(scope, x, false, func(_ *Group, y *graph.Node) {
			groupShapes = append(groupShapes, slices.Clone(y.Shape().Dimensions))
			outs = append(outs, graph.ReduceAllSum(y))
		})
		return outs
	})
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", m.Name, err)
	}
	defer walk.Finalize()
	zeros := tensors.FromShape(shapes.Make(dtypes.Float32, append([]int{2}, m.InputShape...)...))
	if err := exceptions.TryCatch[error](func() { walk.MustCall(zeros) }); err != nil {
		return nil, fmt.Errorf("model %s: initialising weights: %w", m.Name, err)
	}
	m.shapes = groupShapes
	return groupShapes, nil
}

func (m *Model) allInitialised() bool {
	for _, v := range m.weights() {
		if !v.HasValue() {
			return false
		}
	}
	return true
}
