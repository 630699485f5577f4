package probe

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tlx-go/tlx/tlx/embed"
)

func TestScoresOnKnownPartitions(t *testing.T) {
	labels := []int32{0, 0, 0, 1, 1, 1, 2, 2, 2}
	same := []int{5, 5, 5, 3, 3, 3, 9, 9, 9} // renamed clusters
	if nmi, ari := NMI(same, labels), ARI(same, labels); math.Abs(nmi-1) > 1e-12 || math.Abs(ari-1) > 1e-12 {
		t.Errorf("identical partitions: NMI %.4f ARI %.4f, want 1", nmi, ari)
	}
	// scikit-learn: adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714…;
	// normalized_mutual_info_score(...) = 0.8
	if ari := ARI([]int{0, 0, 1, 2}, []int32{0, 0, 1, 1}); math.Abs(ari-0.5714285714285715) > 1e-12 {
		t.Errorf("ARI = %.6f, want 0.571429 (scikit-learn)", ari)
	}
	if nmi := NMI([]int{0, 0, 1, 2}, []int32{0, 0, 1, 1}); math.Abs(nmi-0.8) > 1e-12 {
		t.Errorf("NMI = %.6f, want 0.8 (scikit-learn)", nmi)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	random := make([]int, 3000)
	truth := make([]int32, 3000)
	for i := range random {
		random[i], truth[i] = rng.IntN(5), int32(rng.IntN(5))
	}
	if ari := ARI(random, truth); math.Abs(ari) > 0.01 {
		t.Errorf("ARI of random partitions %.4f, want about 0", ari)
	}
}

func blobs() (*embed.Matrix, []int32) {
	rng := rand.New(rand.NewPCG(2, 2))
	x := &embed.Matrix{N: 300, Dim: 4}
	y := make([]int32, 300)
	for i := range 300 {
		y[i] = int32(i % 3)
		for d := range 4 {
			c := 0.0
			if d == int(y[i]) {
				c = 6
			}
			x.Data = append(x.Data, c+rng.NormFloat64())
		}
	}
	return x, y
}

func TestKMeansFindsBlobsReproducibly(t *testing.T) {
	x, y := blobs()
	a := KMeans(x, 3, 7)
	if nmi := NMI(a, y); nmi < 0.95 {
		t.Errorf("k-means on separated blobs: NMI %.3f, want >= 0.95", nmi)
	}
	if b := KMeans(x, 3, 7); !slices.Equal(a, b) {
		t.Error("same seed, different clustering")
	}
}

func TestKNNProbe(t *testing.T) {
	x, y := blobs()
	train := &embed.Matrix{N: 200, Dim: 4, Data: x.Data[:200*4]}
	test := &embed.Matrix{N: 100, Dim: 4, Data: x.Data[200*4:]}
	if acc := KNN(train, y[:200], test, y[200:], 5); acc < 0.97 {
		t.Errorf("5-NN accuracy on blobs %.3f, want >= 0.97", acc)
	}
	shuffled := slices.Clone(y[:200])
	rand.New(rand.NewPCG(3, 3)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if acc := KNN(train, shuffled, test, y[200:], 5); acc > 0.6 {
		t.Errorf("5-NN with shuffled training labels %.3f, want near chance", acc)
	}
}
