package fit

import (
	"fmt"
	"sync"

	"github.com/gomlx/compute/distributed"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/tlx-go/tlx/tlx/net"
)

// checkDevices says whether m's backend has devices devices and the batch
// splits evenly over them (Config.Devices).
func checkDevices(m *net.Model, devices, batch int) error {
	backend, err := m.Backend()
	if err != nil {
		return err
	}
	if n := backend.NumDevices(); devices > n {
		return fmt.Errorf("fit.Config.Devices: %d devices asked, backend %s of model %s has %d (data-parallel needs the xla backend: xla:cuda with several GPUs, or xla:cpu's host devices; see docs/scaling.md)", devices, backend.Name(), m.Name, n)
	}
	if batch%devices != 0 {
		return fmt.Errorf("fit.Config.BatchSize: %d does not split over %d devices (Config.Devices): use a multiple of %d", batch, devices, devices)
	}
	return nil
}

// shardOverDevices makes a training step data-parallel over the first
// devices devices of its backend: each of its inputs (inputs of them) is
// split along its first axis, the weights and optimizer state stay
// replicated, and XLA's partitioner (GoMLX's AutoSharding strategy)
// inserts the reductions, so the step computes what one device computes
// for the whole batch, BatchNorm's statistics included. Its outputs
// (scalars) are replicated. Call it before the first call; then call the
// step with splitOverDevices's arguments.
func shardOverDevices(exec *model.Exec, devices, inputs, outputs int) error {
	mesh, err := batchMesh(devices)
	if err != nil {
		return fmt.Errorf("data-parallel step over %d devices: %w", devices, err)
	}
	batch, err := distributed.BuildSpec(mesh).S("batch").Done()
	if err != nil {
		return fmt.Errorf("data-parallel step over %d devices: %w", devices, err)
	}
	replicated := distributed.NewReplicatedShardingSpec(mesh)
	in, out := make([]*distributed.ShardingSpec, inputs), make([]*distributed.ShardingSpec, outputs)
	for i := range in {
		in[i] = batch
	}
	for i := range out {
		out[i] = replicated
	}
	exec.AutoSharding(mesh).WithInputShardingSpecs(in...).WithOutputShardingSpecs(out...)
	return nil
}

// meshes holds one device mesh per device count, for the whole process:
// a variable sharded in one step keeps its mesh, and a later step over the
// same variables (the next stage of a plan) must declare that very mesh.
var meshes = struct {
	sync.Mutex
	byDevices map[int]*distributed.DeviceMesh
}{byDevices: map[int]*distributed.DeviceMesh{}}

// batchMesh returns the process's one-axis mesh "batch" of devices devices.
func batchMesh(devices int) (*distributed.DeviceMesh, error) {
	meshes.Lock()
	defer meshes.Unlock()
	if m, ok := meshes.byDevices[devices]; ok {
		return m, nil
	}
	m, err := distributed.NewDeviceMesh([]int{devices}, []string{"batch"})
	if err != nil {
		return nil, err
	}
	meshes.byDevices[devices] = m
	return m, nil
}

// splitOverDevices splits each argument of a step (tensors whose first
// axis is the batch) into devices equal parts, device-major: the first
// device's part of every argument, then the second's. That is the order a
// step sharded by shardOverDevices takes its inputs in.
func splitOverDevices(args []any, devices int) ([]any, error) {
	parts := make([][]*tensors.Tensor, len(args))
	for i, a := range args {
		t, ok := a.(*tensors.Tensor)
		if !ok {
			return nil, fmt.Errorf("data-parallel step: argument %d is %T, want a tensor", i, a)
		}
		var err error
		switch t.DType() {
		case dtypes.Float32:
			parts[i], err = splitFirstAxis[float32](t, devices)
		case dtypes.Int32:
			parts[i], err = splitFirstAxis[int32](t, devices)
		default:
			err = fmt.Errorf("dtype %s not supported", t.DType())
		}
		if err != nil {
			return nil, fmt.Errorf("data-parallel step: argument %d %s: %w", i, t.Shape(), err)
		}
	}
	split := make([]any, 0, len(args)*devices)
	for d := range devices {
		for i := range args {
			split = append(split, parts[i][d])
		}
	}
	return split, nil
}

// splitFirstAxis cuts t into n tensors of equal size along its first axis.
func splitFirstAxis[T float32 | int32](t *tensors.Tensor, n int) ([]*tensors.Tensor, error) {
	dims := t.Shape().Dimensions
	if len(dims) == 0 || dims[0]%n != 0 {
		return nil, fmt.Errorf("first axis does not split into %d equal parts", n)
	}
	flat := tensors.MustCopyFlatData[T](t)
	per := len(flat) / n
	part := append([]int{dims[0] / n}, dims[1:]...)
	out := make([]*tensors.Tensor, n)
	for d := range out {
		out[d] = tensors.FromFlatDataAndDimensions(flat[d*per:(d+1)*per], part...)
	}
	return out, nil
}
