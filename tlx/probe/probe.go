// Package probe measures how much a representation knows without training
// the network: k-means clustering scored against held-out labels (NMI, ARI)
// and a k-nearest-neighbour probe.
//
//	emb, _ := embed.Extract(m, target, m.FeatureGroup())
//	clusters := probe.KMeans(emb, 10, 1)
//	fmt.Println(probe.NMI(clusters, target.Y), probe.ARI(clusters, target.Y))
//	acc := probe.KNN(trainEmb, train.Y, testEmb, test.Y, 5)
package probe

import (
	"math"
	"math/rand/v2"

	"github.com/tlx-go/tlx/tlx/embed"
)

// KMeans clusters the rows into k groups (k-means++ seeding, Lloyd
// iterations until nothing moves or 100 rounds) and returns each row's
// cluster. The same seed gives the same clustering.
func KMeans(x *embed.Matrix, k int, seed uint64) []int {
	n := x.N
	k = max(1, min(k, n))
	rng := rand.New(rand.NewPCG(seed, 0x3ea5))
	dist := embed.SquaredDistance
	centers := make([][]float64, 0, k)
	centers = append(centers, append([]float64(nil), x.Row(rng.IntN(n))...))
	nearest := make([]float64, n)
	for len(centers) < k {
		var total float64
		for i := range n {
			nearest[i] = math.Inf(1)
			for _, c := range centers {
				nearest[i] = math.Min(nearest[i], dist(x.Row(i), c))
			}
			total += nearest[i]
		}
		r := rng.Float64() * total
		pick := n - 1
		for i, d := range nearest {
			if r -= d; r <= 0 {
				pick = i
				break
			}
		}
		centers = append(centers, append([]float64(nil), x.Row(pick)...))
	}
	assign := make([]int, n)
	for i := range assign {
		assign[i] = -1
	}
	for range 100 {
		moved := false
		for i := range n {
			best, bd := 0, math.Inf(1)
			for c, center := range centers {
				if d := dist(x.Row(i), center); d < bd {
					best, bd = c, d
				}
			}
			if assign[i] != best {
				assign[i], moved = best, true
			}
		}
		if !moved {
			break
		}
		counts := make([]int, k)
		for c := range centers {
			for j := range centers[c] {
				centers[c][j] = 0
			}
		}
		for i, c := range assign {
			counts[c]++
			for j, v := range x.Row(i) {
				centers[c][j] += v
			}
		}
		for c := range centers {
			if counts[c] == 0 { // an emptied cluster restarts at a random row
				copy(centers[c], x.Row(rng.IntN(n)))
				continue
			}
			for j := range centers[c] {
				centers[c][j] /= float64(counts[c])
			}
		}
	}
	return assign
}

// contingency counts pairs (cluster, label).
func contingency(a []int, b []int32) (table map[[2]int]int, ra, rb map[int]int) {
	table, ra, rb = map[[2]int]int{}, map[int]int{}, map[int]int{}
	for i := range a {
		table[[2]int{a[i], int(b[i])}]++
		ra[a[i]]++
		rb[int(b[i])]++
	}
	return table, ra, rb
}

// NMI is the normalised mutual information between a clustering and the
// labels (arithmetic-mean normalisation, as scikit-learn's default): 1 for
// the same partition, near 0 for an unrelated one.
func NMI(clusters []int, labels []int32) float64 {
	n := float64(len(clusters))
	table, ra, rb := contingency(clusters, labels)
	var mi, ha, hb float64
	for key, c := range table {
		p := float64(c) / n
		mi += p * math.Log(p/(float64(ra[key[0]])/n*float64(rb[key[1]])/n))
	}
	for _, c := range ra {
		p := float64(c) / n
		ha -= p * math.Log(p)
	}
	for _, c := range rb {
		p := float64(c) / n
		hb -= p * math.Log(p)
	}
	if ha+hb == 0 {
		return 1
	}
	return 2 * mi / (ha + hb)
}

// ARI is the adjusted Rand index (Hubert & Arabie): 1 for the same
// partition, about 0 for a random one.
func ARI(clusters []int, labels []int32) float64 {
	comb2 := func(x int) float64 { return float64(x) * float64(x-1) / 2 }
	table, ra, rb := contingency(clusters, labels)
	var index, sa, sb float64
	for _, c := range table {
		index += comb2(c)
	}
	for _, c := range ra {
		sa += comb2(c)
	}
	for _, c := range rb {
		sb += comb2(c)
	}
	expected := sa * sb / comb2(len(clusters))
	maxIndex := (sa + sb) / 2
	if maxIndex == expected {
		return 1
	}
	return (index - expected) / (maxIndex - expected)
}

// KNN classifies each test row by the majority label of its k nearest
// training rows (ties to the nearest) and returns the accuracy.
func KNN(train *embed.Matrix, trainY []int32, test *embed.Matrix, testY []int32, k int) float64 {
	if test.N == 0 || train.N == 0 {
		return 0
	}
	k = max(1, min(k, train.N))
	correct := 0
	type cand struct {
		d float64
		y int32
	}
	for i := range test.N {
		best := make([]cand, 0, k+1)
		for j := range train.N {
			d := embed.SquaredDistance(test.Row(i), train.Row(j))
			if len(best) < k || d < best[len(best)-1].d {
				pos := len(best)
				for pos > 0 && best[pos-1].d > d {
					pos--
				}
				best = append(best, cand{})
				copy(best[pos+1:], best[pos:])
				best[pos] = cand{d, trainY[j]}
				if len(best) > k {
					best = best[:k]
				}
			}
		}
		votes := map[int32]int{}
		winner, top := best[0].y, 0
		for _, c := range best {
			votes[c.y]++
		}
		for _, c := range best { // in order of distance: ties go to the nearest
			if votes[c.y] > top {
				winner, top = c.y, votes[c.y]
			}
		}
		if winner == testY[i] {
			correct++
		}
	}
	return float64(correct) / float64(test.N)
}
