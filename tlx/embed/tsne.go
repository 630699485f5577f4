package embed

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// TSNEConfig configures TSNE; zero fields take the defaults.
type TSNEConfig struct {
	Perplexity float64 // default 30
	Iterations int     // default 500
	PCADims    int     // reduce to this many dimensions with PCA first (default 50; 0 keeps min(50, dim))
	Seed       uint64
}

// MaxTSNEPoints bounds exact t-SNE, whose cost grows with the square of the
// number of points.
const MaxTSNEPoints = 5000

// TSNE embeds the rows in 2-D with exact t-SNE (van der Maaten & Hinton):
// Gaussian affinities calibrated to the perplexity, Student-t similarities
// in the plane, gradient descent with momentum and early exaggeration. The
// same seed gives the same layout.
func TSNE(x *Matrix, cfg TSNEConfig) (*Matrix, error) {
	if cfg.Perplexity == 0 {
		cfg.Perplexity = 30
	}
	if cfg.Iterations == 0 {
		cfg.Iterations = 500
	}
	if cfg.PCADims == 0 {
		cfg.PCADims = 50
	}
	n := x.N
	if n > MaxTSNEPoints {
		return nil, fmt.Errorf("t-SNE of %d points: exact t-SNE takes at most %d (sample the data first)", n, MaxTSNEPoints)
	}
	if n < 4 || float64(n-1) < 3*cfg.Perplexity {
		cfg.Perplexity = math.Max(float64(n-1)/3, 1)
	}
	if x.Dim > cfg.PCADims {
		reduced, _, err := PCA(x, cfg.PCADims)
		if err != nil {
			return nil, err
		}
		x = reduced
	}
	p := affinities(x, cfg.Perplexity)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x75e))
	y := make([]float64, 2*n)
	for i := range y {
		y[i] = 1e-4 * rng.NormFloat64()
	}
	vel := make([]float64, 2*n)
	gains := make([]float64, 2*n)
	for i := range gains {
		gains[i] = 1
	}
	q := make([]float64, n*n)
	grad := make([]float64, 2*n)
	const eta = 200.0
	for it := range cfg.Iterations {
		exag, momentum := 1.0, 0.8
		if it < 100 {
			exag, momentum = 12, 0.5
		}
		var sumQ float64
		for i := range n {
			for j := i + 1; j < n; j++ {
				dx, dy := y[2*i]-y[2*j], y[2*i+1]-y[2*j+1]
				v := 1 / (1 + dx*dx + dy*dy)
				q[i*n+j], q[j*n+i] = v, v
				sumQ += 2 * v
			}
		}
		for i := range grad {
			grad[i] = 0
		}
		for i := range n {
			for j := range n {
				if i == j {
					continue
				}
				w := q[i*n+j]
				f := 4 * (exag*p[i*n+j] - w/sumQ) * w
				grad[2*i] += f * (y[2*i] - y[2*j])
				grad[2*i+1] += f * (y[2*i+1] - y[2*j+1])
			}
		}
		for i := range y {
			if (grad[i] > 0) != (vel[i] > 0) {
				gains[i] += 0.2
			} else {
				gains[i] = math.Max(gains[i]*0.8, 0.01)
			}
			vel[i] = momentum*vel[i] - eta*gains[i]*grad[i]
			y[i] += vel[i]
		}
	}
	return &Matrix{N: n, Dim: 2, Data: y}, nil
}

// affinities returns the symmetric joint probabilities P of t-SNE, each
// row's Gaussian width found by bisection to match the perplexity.
func affinities(x *Matrix, perplexity float64) []float64 {
	n := x.N
	d := make([]float64, n*n)
	for i := range n {
		for j := i + 1; j < n; j++ {
			s := SquaredDistance(x.Row(i), x.Row(j))
			d[i*n+j], d[j*n+i] = s, s
		}
	}
	p := make([]float64, n*n)
	target := math.Log(perplexity)
	row := make([]float64, n)
	for i := range n {
		lo, hi, beta := 0.0, math.Inf(1), 1.0
		for range 60 {
			var sum, h float64
			for j := range n {
				if j == i {
					row[j] = 0
					continue
				}
				row[j] = math.Exp(-beta * d[i*n+j])
				sum += row[j]
			}
			if sum == 0 {
				sum = 1e-300
			}
			for j := range n {
				if j != i && row[j] > 0 {
					pj := row[j] / sum
					h -= pj * math.Log(pj)
				}
			}
			if math.Abs(h-target) < 1e-5 {
				break
			}
			if h > target {
				lo = beta
				if math.IsInf(hi, 1) {
					beta *= 2
				} else {
					beta = (beta + hi) / 2
				}
			} else {
				hi = beta
				beta = (beta + lo) / 2
			}
		}
		var sum float64
		for j := range n {
			sum += row[j]
		}
		for j := range n {
			if j != i && sum > 0 {
				p[i*n+j] = row[j] / sum
			}
		}
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			v := math.Max((p[i*n+j]+p[j*n+i])/(2*float64(n)), 1e-12)
			p[i*n+j], p[j*n+i] = v, v
		}
	}
	return p
}
