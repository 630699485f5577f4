package embed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// UMAPConfig configures UMAP; zero fields take the defaults.
type UMAPConfig struct {
	Neighbors int    // k of the k-nearest-neighbour graph, default 15
	Epochs    int    // optimisation epochs, default 200
	Seed      uint64 // negative sampling and tie-breaking
}

// UMAP embeds the rows in 2-D with UMAP (McInnes, Healy & Melville): a
// fuzzy k-nearest-neighbour graph, a PCA starting layout, and stochastic
// gradient descent with negative sampling on the cross-entropy between the
// graph and the layout (min_dist 0.1: a = 1.577, b = 0.895). Neighbours are
// found exactly, so it is meant for up to a few thousand points. No Go UMAP
// library is served by the module proxy here: this is tlx's own, seeded
// and reproducible.
func UMAP(x *Matrix, cfg UMAPConfig) (*Matrix, error) {
	if cfg.Neighbors == 0 {
		cfg.Neighbors = 15
	}
	if cfg.Epochs == 0 {
		cfg.Epochs = 200
	}
	n := x.N
	if n > MaxTSNEPoints {
		return nil, fmt.Errorf("UMAP of %d points: tlx finds neighbours exactly, for at most %d points", n, MaxTSNEPoints)
	}
	if n < 3 {
		return nil, fmt.Errorf("UMAP needs at least 3 points, got %d", n)
	}
	k := min(cfg.Neighbors, n-1)
	if x.Dim > 50 {
		reduced, _, err := PCA(x, 50)
		if err != nil {
			return nil, err
		}
		x = reduced
	}
	type edge struct {
		i, j int
		w    float64
	}
	// Fuzzy membership of each point's k nearest neighbours.
	weights := map[[2]int]float64{}
	dist := make([]struct {
		j int
		d float64
	}, n)
	for i := range n {
		for j := range n {
			dist[j].j, dist[j].d = j, math.Sqrt(SquaredDistance(x.Row(i), x.Row(j)))
		}
		sort.Slice(dist, func(a, b int) bool {
			if dist[a].d != dist[b].d {
				return dist[a].d < dist[b].d
			}
			return dist[a].j < dist[b].j
		})
		nn := dist[1 : k+1] // dist[0] is the point itself
		rho := nn[0].d
		target := math.Log2(float64(k))
		lo, hi, sigma := 0.0, math.Inf(1), 1.0
		for range 64 {
			var sum float64
			for _, e := range nn {
				sum += math.Exp(-math.Max(e.d-rho, 0) / sigma)
			}
			if math.Abs(sum-target) < 1e-5 {
				break
			}
			if sum > target {
				hi = sigma
				sigma = (lo + hi) / 2
			} else {
				lo = sigma
				if math.IsInf(hi, 1) {
					sigma *= 2
				} else {
					sigma = (lo + hi) / 2
				}
			}
		}
		for _, e := range nn {
			weights[[2]int{i, e.j}] = math.Exp(-math.Max(e.d-rho, 0) / sigma)
		}
	}
	// Symmetrise: w = a + b - a·b.
	var edges []edge
	for key, a := range weights {
		i, j := key[0], key[1]
		if i > j {
			if _, both := weights[[2]int{j, i}]; both {
				continue
			}
		}
		b := weights[[2]int{j, i}]
		edges = append(edges, edge{i, j, a + b - a*b})
	}
	sort.Slice(edges, func(a, b int) bool {
		if edges[a].i != edges[b].i {
			return edges[a].i < edges[b].i
		}
		return edges[a].j < edges[b].j
	})
	// Start from the PCA layout, scaled to a spread of 10.
	start, _, err := PCA(x, 2)
	if err != nil {
		return nil, err
	}
	y := start.Data
	var spread float64
	for _, v := range y {
		spread = math.Max(spread, math.Abs(v))
	}
	for i := range y {
		y[i] = 10 * y[i] / math.Max(spread, 1e-12)
	}
	const a, b, negatives = 1.577, 0.895, 5
	var wmax float64
	for _, e := range edges {
		wmax = math.Max(wmax, e.w)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x0a9))
	clip := func(g float64) float64 { return math.Max(-4, math.Min(4, g)) }
	for epoch := range cfg.Epochs {
		alpha := 1 - float64(epoch)/float64(cfg.Epochs)
		for _, e := range edges {
			if rng.Float64() > e.w/wmax { // sample each edge in proportion to its weight
				continue
			}
			i, j := e.i, e.j
			dx, dy := y[2*i]-y[2*j], y[2*i+1]-y[2*j+1]
			d2 := dx*dx + dy*dy
			if d2 > 0 {
				c := -2 * a * b * math.Pow(d2, b-1) / (1 + a*math.Pow(d2, b))
				gx, gy := clip(c*dx), clip(c*dy)
				y[2*i] += alpha * gx
				y[2*i+1] += alpha * gy
				y[2*j] -= alpha * gx
				y[2*j+1] -= alpha * gy
			}
			for range negatives {
				r := rng.IntN(n)
				if r == i {
					continue
				}
				dx, dy := y[2*i]-y[2*r], y[2*i+1]-y[2*r+1]
				d2 := dx*dx + dy*dy
				c := 2 * b / ((0.001 + d2) * (1 + a*math.Pow(d2, b)))
				y[2*i] += alpha * clip(c*dx)
				y[2*i+1] += alpha * clip(c*dy)
			}
		}
	}
	return &Matrix{N: n, Dim: 2, Data: y}, nil
}
