// Package adapt holds domain-adaptation tools: measures of how far apart
// two domains' representations are (MMD, CORAL distance, proxy
// A-distance), AdaBN, which re-estimates BatchNorm statistics on the
// target domain, the CORAL loss and DANN as fit.Objectives, and
// pseudo-labels for self-training.
//
//	src, _ := embed.Extract(m, mnist, m.FeatureGroup())
//	tgt, _ := embed.Extract(m, digits, m.FeatureGroup())
//	mmd, _ := adapt.MMD(src, tgt, 0)   // also adapt.CORAL(src, tgt), adapt.ProxyA(src, tgt, seed)
//	err := adapt.AdaBN(m, digits, 64, seed) // then evaluate on digits again
//	cfg := fit.Config{Seed: seed, Objective: adapt.CORALLoss(10), Extra: digits}
//
// A target accuracy after adaptation training moves by several points with
// the batch order alone: compare methods over seeds (study.Repeat) with
// paired effects, as notebook 12 does.
package adapt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/tlx-go/tlx/tlx/embed"
)

// MMD is the (biased) squared maximum mean discrepancy between the rows of
// x and y under an RBF kernel of width sigma (sigma <= 0: the median
// pairwise distance, the usual heuristic). 0 means the samples look alike.
func MMD(x, y *embed.Matrix, sigma float64) (float64, error) {
	if x.Dim != y.Dim || x.N == 0 || y.N == 0 {
		return 0, fmt.Errorf("MMD: %d×%d and %d×%d samples: want the same width, both non-empty", x.N, x.Dim, y.N, y.Dim)
	}
	if sigma <= 0 {
		var all []float64
		rows := append(rowsOf(x), rowsOf(y)...)
		for i := 0; i < len(rows); i += max(1, len(rows)/200) {
			for j := i + 1; j < len(rows); j += max(1, len(rows)/200) {
				all = append(all, math.Sqrt(embed.SquaredDistance(rows[i], rows[j])))
			}
		}
		sort.Float64s(all)
		sigma = math.Max(all[len(all)/2], 1e-12)
	}
	k := func(a, b []float64) float64 { return math.Exp(-embed.SquaredDistance(a, b) / (2 * sigma * sigma)) }
	mean := func(p, q *embed.Matrix) float64 {
		var s float64
		for i := range p.N {
			for j := range q.N {
				s += k(p.Row(i), q.Row(j))
			}
		}
		return s / float64(p.N*q.N)
	}
	return mean(x, x) + mean(y, y) - 2*mean(x, y), nil
}

func rowsOf(m *embed.Matrix) [][]float64 {
	out := make([][]float64, m.N)
	for i := range out {
		out[i] = m.Row(i)
	}
	return out
}

// covariance returns the d×d covariance of the rows.
func covariance(x *embed.Matrix) []float64 {
	d := x.Dim
	mean := make([]float64, d)
	for i := range x.N {
		for j, v := range x.Row(i) {
			mean[j] += v / float64(x.N)
		}
	}
	c := make([]float64, d*d)
	for i := range x.N {
		r := x.Row(i)
		for a := range d {
			for b := range d {
				c[a*d+b] += (r[a] - mean[a]) * (r[b] - mean[b]) / float64(max(x.N-1, 1))
			}
		}
	}
	return c
}

// CORAL is the CORAL distance ||C_x - C_y||²_F / (4 d²) between the
// samples' covariances (Sun & Saenko): second-order domain discrepancy.
func CORAL(x, y *embed.Matrix) (float64, error) {
	if x.Dim != y.Dim || x.N < 2 || y.N < 2 {
		return 0, fmt.Errorf("CORAL: %d×%d and %d×%d samples: want the same width and at least 2 rows each", x.N, x.Dim, y.N, y.Dim)
	}
	return embed.SquaredDistance(covariance(x), covariance(y)) / (4 * float64(x.Dim*x.Dim)), nil
}

// ProxyA is the proxy A-distance 2(1 - 2ε) (Ben-David et al.), with ε the
// held-out error of a logistic regression trained to tell the domains
// apart (half of each sample trains, half tests). 0: indistinguishable,
// 2: perfectly separable.
func ProxyA(x, y *embed.Matrix, seed uint64) (float64, error) {
	if x.Dim != y.Dim || x.N < 4 || y.N < 4 {
		return 0, fmt.Errorf("ProxyA: %d×%d and %d×%d samples: want the same width and at least 4 rows each", x.N, x.Dim, y.N, y.Dim)
	}
	type ex struct {
		r []float64
		y float64
	}
	rng := rand.New(rand.NewPCG(seed, 0xad))
	var train, test []ex
	for _, s := range []struct {
		m *embed.Matrix
		y float64
	}{{x, 0}, {y, 1}} {
		perm := rng.Perm(s.m.N)
		for i, p := range perm {
			e := ex{s.m.Row(p), s.y}
			if i < s.m.N/2 {
				train = append(train, e)
			} else {
				test = append(test, e)
			}
		}
	}
	// Standardise features on the training half.
	d := x.Dim
	mean, std := make([]float64, d), make([]float64, d)
	for _, e := range train {
		for j, v := range e.r {
			mean[j] += v / float64(len(train))
		}
	}
	for _, e := range train {
		for j, v := range e.r {
			std[j] += (v - mean[j]) * (v - mean[j]) / float64(len(train))
		}
	}
	for j := range std {
		std[j] = math.Sqrt(std[j]) + 1e-8
	}
	w := make([]float64, d+1)
	score := func(r []float64) float64 {
		z := w[d]
		for j, v := range r {
			z += w[j] * (v - mean[j]) / std[j]
		}
		return z
	}
	const steps, lr, l2 = 300, 0.5, 1e-3
	for range steps {
		grad := make([]float64, d+1)
		for _, e := range train {
			p := 1 / (1 + math.Exp(-score(e.r)))
			for j, v := range e.r {
				grad[j] += (p - e.y) * (v - mean[j]) / std[j] / float64(len(train))
			}
			grad[d] += (p - e.y) / float64(len(train))
		}
		for j := range w {
			w[j] -= lr * (grad[j] + l2*w[j])
		}
	}
	wrong := 0
	for _, e := range test {
		if (score(e.r) > 0) != (e.y == 1) {
			wrong++
		}
	}
	eps := float64(wrong) / float64(len(test))
	return 2 * (1 - 2*math.Min(eps, 0.5)), nil
}
