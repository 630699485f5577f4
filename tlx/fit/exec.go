package fit

import (
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/net"
)

// newOutputExec builds an inference executable for the model's output at
// group until ("" for the logits).
func newOutputExec(m *net.Model, until string) (*model.Exec, error) {
	backend, err := m.Backend()
	if err != nil {
		return nil, err
	}
	return model.NewExec(backend, m.Store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		m.Store.SetTraining(x.Graph(), true) // variables as parameters; layers in inference mode
		return m.Forward(scope, x, false, until)
	})
}

// Outputs runs the model in inference mode over d and returns the output of
// group until ("" for the logits), n × per-example values.
func Outputs(m *net.Model, d *data.Dataset, until string) ([]float32, error) {
	exec, err := newOutputExec(m, until)
	if err != nil {
		return nil, err
	}
	defer exec.Finalize()
	return batchedOutput(exec, d, 128)
}

// Evaluate scores the model on d.
func Evaluate(m *net.Model, d *data.Dataset) (Scores, error) {
	if err := checkData(m, d, "evaluation"); err != nil {
		return Scores{}, err
	}
	logits, err := Outputs(m, d, "")
	if err != nil {
		return Scores{}, err
	}
	return Score(logits, d.Y, len(d.Classes)), nil
}
