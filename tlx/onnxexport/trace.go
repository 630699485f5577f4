package onnxexport

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/support/exceptions"

	"github.com/tlx-go/tlx/tlx/net"
)

// trace builds m's inference graph (training=false) for a batch of the
// given size on the recording backend and returns the recording. Nodes are
// named under their group ("/layer1/Conv_12"), as PyTorch's exporter names
// them by module, so that onnxnet.Load cuts the same groups again.
func trace(m *net.Model, batch int) (*recorder, error) {
	r := &recorder{variable: func(path string) (*tensors.Tensor, bool) {
		v := m.Store.GetVariable(path)
		if v == nil || !v.HasValue() {
			return nil, false
		}
		t, err := v.Value()
		return t, err == nil
	}}
	e, err := model.NewExec(&recordingBackend{r: r}, m.Store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		// As net.Model's own inference executables do: variables are
		// parameters (here: initializers), tlx's layers take their mode from
		// training=false.
		m.Store.SetTraining(x.Graph(), true)
		after := ""
		for _, g := range m.Groups {
			r.enterGroup(g.Name)
			x = graph.Identity(x)
			x = m.ForwardRange(scope, x, false, after, g.Name)
			after = g.Name
		}
		return x
	})
	if err != nil {
		return nil, fmt.Errorf("exporting %s to ONNX: %w", m.Name, err)
	}
	dims := append([]int{batch}, m.InputShape...)
	err = exceptions.TryCatch[error](func() {
		if _, err := e.Compile(shapes.Make(dtypes.Float32, dims...)); err != nil {
			panic(err)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("exporting %s to ONNX (group %s): %w", m.Name, r.scope[min(1, len(r.scope)):], err)
	}
	if len(r.outputs) != 1 {
		return nil, fmt.Errorf("exporting %s to ONNX: the inference graph has %d outputs (variables changed in inference?), want 1", m.Name, len(r.outputs))
	}
	if r.input == nil {
		return nil, fmt.Errorf("exporting %s to ONNX: the graph does not read its input", m.Name)
	}
	elideNoopSlices(r)
	elideBroadcasts(r) // first: a depthwise weight's broadcast would hide the pattern
	fuseConvs(r)
	fuseDepthwise(r)
	foldAffine(r)
	return r, nil
}
