// Package embed extracts representations from any layer group of a model
// and projects them to 2-D for plotting: PCA (gonum's symmetric
// eigen-decomposition) and exact t-SNE (seeded, reproducible).
//
//	emb, err := embed.Extract(m, val, m.FeatureGroup())   // one row per example
//	xy, err := embed.PCA(emb, 2)
//	xy, err = embed.TSNE(emb, embed.TSNEConfig{Seed: 1})
package embed

import (
	"fmt"

	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
)

// Matrix is n rows of dim values, row-major.
type Matrix struct {
	N, Dim int
	Data   []float64
}

// SquaredDistance is the squared Euclidean distance between two rows of
// the same width.
func SquaredDistance(a, b []float64) float64 {
	var s float64
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return s
}

// Row returns row i (a view).
func (m *Matrix) Row(i int) []float64 { return m.Data[i*m.Dim : (i+1)*m.Dim] }

// Extract runs the model in inference mode over d and returns the output
// of group (flattened per example): the representation at that depth.
func Extract(m *net.Model, d *data.Dataset, group string) (*Matrix, error) {
	out, err := fit.Outputs(m, d, group)
	if err != nil {
		return nil, fmt.Errorf("extracting %s embeddings of %s: %w", group, d.Name, err)
	}
	if d.Len() == 0 || len(out)%d.Len() != 0 {
		return nil, fmt.Errorf("extracting %s embeddings: %d values for %d examples", group, len(out), d.Len())
	}
	mat := &Matrix{N: d.Len(), Dim: len(out) / d.Len(), Data: make([]float64, len(out))}
	for i, v := range out {
		mat.Data[i] = float64(v)
	}
	return mat, nil
}

// FromDataset uses the raw examples as rows (a baseline "embedding"); a
// lazily decoded image folder is decoded first.
func FromDataset(d *data.Dataset) (*Matrix, error) {
	d, err := d.Materialize()
	if err != nil {
		return nil, fmt.Errorf("raw rows of %s: %w", d.Name, err)
	}
	mat := &Matrix{N: d.Len(), Dim: d.Size(), Data: make([]float64, len(d.X))}
	for i, v := range d.X {
		mat.Data[i] = float64(v)
	}
	return mat, nil
}

// PoolChannels averages rows that hold NHWC feature maps flattened
// (position-major, channels last) over their positions: one value per
// channel, what a global-average-pooling head sees.
func (m *Matrix) PoolChannels(channels int) (*Matrix, error) {
	if channels <= 0 || m.Dim%channels != 0 {
		return nil, fmt.Errorf("PoolChannels(%d): rows of %d values are not whole positions", channels, m.Dim)
	}
	positions := m.Dim / channels
	out := &Matrix{N: m.N, Dim: channels, Data: make([]float64, m.N*channels)}
	for i := range m.N {
		row, dst := m.Row(i), out.Data[i*channels:(i+1)*channels]
		for p := range positions {
			for c := range channels {
				dst[c] += row[p*channels+c]
			}
		}
		for c := range dst {
			dst[c] /= float64(positions)
		}
	}
	return out, nil
}
