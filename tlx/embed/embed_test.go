package embed

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
)

func TestPCAFindsTheMainDirection(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := &Matrix{N: 200, Dim: 3}
	for range 200 {
		s := rng.NormFloat64() * 3
		x.Data = append(x.Data, s+0.1*rng.NormFloat64(), s+0.1*rng.NormFloat64(), 0.1*rng.NormFloat64())
	}
	proj, shares, err := PCA(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	if shares[0] < 0.95 || shares[0]+shares[1] > 1.0001 {
		t.Errorf("variance shares %v, want the first near 1", shares)
	}
	// The first coordinate is the projection on (1,1,0)/sqrt2.
	for i := range 5 {
		r := x.Row(i)
		var mx, my float64
		for k := range x.N {
			mx += x.Row(k)[0] / float64(x.N)
			my += x.Row(k)[1] / float64(x.N)
		}
		want := ((r[0] - mx) + (r[1] - my)) / math.Sqrt2
		if got := proj.Row(i)[0]; math.Abs(math.Abs(got)-math.Abs(want)) > 0.1 {
			t.Errorf("row %d: first component %.3f, want ±%.3f", i, got, want)
		}
	}
	if _, _, err := PCA(x, 4); err == nil {
		t.Error("4 components of 3-D data accepted")
	}
}

// clusters returns 120 points in 3 well-separated 10-D clusters.
func clusters() (*Matrix, []int) {
	rng := rand.New(rand.NewPCG(2, 2))
	x := &Matrix{N: 120, Dim: 10}
	labels := make([]int, 120)
	for i := range 120 {
		labels[i] = i % 3
		for d := range 10 {
			center := 0.0
			if d == labels[i] {
				center = 8
			}
			x.Data = append(x.Data, center+rng.NormFloat64())
		}
	}
	return x, labels
}

// neighbourAgreement counts points whose nearest neighbour in the plane
// has their label.
func neighbourAgreement(y *Matrix, labels []int) int {
	agree := 0
	for i := range 120 {
		best, bd := -1, math.Inf(1)
		for j := range 120 {
			if j == i {
				continue
			}
			dx, dy := y.Row(i)[0]-y.Row(j)[0], y.Row(i)[1]-y.Row(j)[1]
			if d := dx*dx + dy*dy; d < bd {
				best, bd = j, d
			}
		}
		if labels[best] == labels[i] {
			agree++
		}
	}
	return agree
}

func TestTSNESeparatesClustersReproducibly(t *testing.T) {
	x, labels := clusters()
	y, err := TSNE(x, TSNEConfig{Perplexity: 15, Iterations: 300, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if agree := neighbourAgreement(y, labels); agree < 114 {
		t.Errorf("nearest neighbour in the t-SNE plane shares the cluster for %d of 120 points, want >= 114", agree)
	}
	y2, _ := TSNE(x, TSNEConfig{Perplexity: 15, Iterations: 300, Seed: 5})
	y3, _ := TSNE(x, TSNEConfig{Perplexity: 15, Iterations: 300, Seed: 6})
	if !slices.Equal(y.Data, y2.Data) || slices.Equal(y.Data, y3.Data) {
		t.Error("t-SNE is not a function of its seed")
	}
	if _, err := TSNE(&Matrix{N: MaxTSNEPoints + 1, Dim: 1, Data: make([]float64, MaxTSNEPoints+1)}, TSNEConfig{}); err == nil {
		t.Error("t-SNE over the point limit accepted")
	}
}

func TestExtract(t *testing.T) {
	d, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	d = d.Take(100, 1)
	m := arch.MLP("mlp", []int{16}, 10, 8, 8, 1)
	e, err := Extract(m, d, m.FeatureGroup())
	if err != nil {
		t.Fatal(err)
	}
	if e.N != d.Len() || e.Dim != 16 {
		t.Errorf("embedding %d×%d, want %d×16", e.N, e.Dim, d.Len())
	}
	raw, err := FromDataset(d)
	if err != nil {
		t.Fatal(err)
	}
	if raw.Dim != 64 {
		t.Errorf("raw rows have %d values, want 64", raw.Dim)
	}
}

func TestUMAPSeparatesClustersReproducibly(t *testing.T) {
	x, labels := clusters()
	y, err := UMAP(x, UMAPConfig{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if agree := neighbourAgreement(y, labels); agree < 114 {
		t.Errorf("nearest neighbour in the UMAP plane shares the cluster for %d of 120 points, want >= 114", agree)
	}
	y2, _ := UMAP(x, UMAPConfig{Seed: 3})
	y3, _ := UMAP(x, UMAPConfig{Seed: 4})
	if !slices.Equal(y.Data, y2.Data) || slices.Equal(y.Data, y3.Data) {
		t.Error("UMAP is not a function of its seed")
	}
}

// The projections' cost on 1,000 points of 64 values (the closing note of
// the charts issue quotes these): go test -bench . ./tlx/embed
func benchData() *Matrix {
	rng := rand.New(rand.NewPCG(4, 4))
	x := &Matrix{N: 1000, Dim: 64}
	for i := range 1000 * 64 {
		x.Data = append(x.Data, rng.NormFloat64()+float64((i/64)%5))
	}
	return x
}

func BenchmarkPCA(b *testing.B) {
	x := benchData()
	for b.Loop() {
		PCA(x, 2)
	}
}

func BenchmarkTSNE(b *testing.B) {
	x := benchData()
	for b.Loop() {
		TSNE(x, TSNEConfig{Seed: 1})
	}
}

func BenchmarkUMAP(b *testing.B) {
	x := benchData()
	for b.Loop() {
		UMAP(x, UMAPConfig{Seed: 1})
	}
}
