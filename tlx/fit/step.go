package fit

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/support/exceptions"
	"github.com/tlx-go/tlx/tlx/net"
)

// TrainStep is one compiled training step of a whole model, for custom
// loops and benchmarks: Fit is built from the same step.
type TrainStep struct {
	m    *net.Model
	exec *model.Exec
}

// NewTrainStep compiles (lazily, on the first Step) a training step of m
// with the optimizer at learning rate lr. The model's frozen groups, as set
// now, are not trained.
func NewTrainStep(m *net.Model, opt Optimizer, lr float64) (*TrainStep, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	m.ApplyTrainable()
	if _, err := m.Init(); err != nil {
		return nil, err
	}
	if err := setLR(m.Store, lr); err != nil {
		return nil, err
	}
	exec, err := newTrainExec(m, "", opt, nil, nil, false)
	if err != nil {
		return nil, err
	}
	return &TrainStep{m: m, exec: exec}, nil
}

// Step trains on one batch: x [batch, input shape...] float32, y [batch]
// int32 labels. It returns the batch's mean loss.
func (s *TrainStep) Step(x, y *tensors.Tensor) (float64, error) {
	var outs []*tensors.Tensor
	idx := tensors.FromShape(shapes.Make(dtypes.Int32, x.Shape().Dimensions[0]))
	if err := exceptions.TryCatch[error](func() { outs = s.exec.MustCall(x, y, idx) }); err != nil {
		return 0, fmt.Errorf("training step of %s: %w", s.m.Name, err)
	}
	return scalar(outs[0]), nil
}

// MustStep is Step that panics on error.
func (s *TrainStep) MustStep(x, y *tensors.Tensor) float64 {
	l, err := s.Step(x, y)
	if err != nil {
		panic(err)
	}
	return l
}
