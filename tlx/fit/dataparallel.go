package fit

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/support/exceptions"
	"github.com/tlx-go/tlx/tlx/net"
)

// DataParallelStep is a training step of a whole model sharded over
// devices, for custom loops and benchmarks (Fit does the same with
// Config.Devices): each batch is split along its first axis over the
// devices, the weights and optimizer state are replicated, and XLA's
// partitioner (GoMLX's AutoSharding strategy) inserts the reductions, so
// the step computes what one device computes for the whole batch
// (BatchNorm's statistics included). It needs a backend with several
// devices: XLA (xla:cuda with several GPUs; the CPU plugin shows several
// host devices, see docs/scaling.md).
type DataParallelStep struct {
	m       *net.Model
	devices int
	step    *TrainStep
}

// NewDataParallelStep compiles (lazily, on the first Step) a training
// step of m over the first devices devices of m's backend.
func NewDataParallelStep(m *net.Model, opt Optimizer, lr float64, devices int) (*DataParallelStep, error) {
	if devices < 2 {
		return nil, fmt.Errorf("data-parallel step: %d devices asked, want 2 or more", devices)
	}
	if err := checkDevices(m, devices, devices); err != nil {
		return nil, err
	}
	s, err := NewTrainStep(m, opt, lr)
	if err != nil {
		return nil, err
	}
	if err := shardOverDevices(s.exec, devices, 3, 3); err != nil {
		return nil, err
	}
	return &DataParallelStep{m: m, devices: devices, step: s}, nil
}

// Step trains on one batch (x [batch, input shape...] float32, y [batch]
// int32, the batch divisible by the number of devices) and returns its
// mean loss.
func (s *DataParallelStep) Step(x, y *tensors.Tensor) (float64, error) {
	n := x.Shape().Dimensions[0]
	if n%s.devices != 0 || y.Shape().Dimensions[0] != n {
		return 0, fmt.Errorf("data-parallel step of %s: batch %d (labels %v) does not split over %d devices", s.m.Name, n, y.Shape().Dimensions, s.devices)
	}
	args, err := splitOverDevices([]any{x, y, tensors.FromShape(shapes.Make(dtypes.Int32, n))}, s.devices)
	if err != nil {
		return 0, fmt.Errorf("data-parallel step of %s: %w", s.m.Name, err)
	}
	var outs []*tensors.Tensor
	if err := exceptions.TryCatch[error](func() { outs = s.step.exec.MustCall(args...) }); err != nil {
		return 0, fmt.Errorf("data-parallel step of %s: %w", s.m.Name, err)
	}
	return scalar(outs[0]), nil
}

// NumDevices returns how many devices the compiled step runs on (0 before
// the first Step).
func (s *DataParallelStep) NumDevices() int { return s.step.exec.NumDevices() }
