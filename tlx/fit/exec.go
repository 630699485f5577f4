package fit

import (
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/net"
)

// Outputs runs the model in inference mode over d and returns the output of
// group until ("" for the logits), n × per-example values.
func Outputs(m *net.Model, d *data.Dataset, until string) ([]float32, error) {
	exec, err := m.RangeExec("", until)
	if err != nil {
		return nil, err
	}
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
