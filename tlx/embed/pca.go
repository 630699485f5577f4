package embed

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// PCA projects the rows onto their k principal components (centred, signs
// fixed so the largest coefficient of each component is positive, for
// reproducible plots). It also returns each component's share of the
// variance.
func PCA(x *Matrix, k int) (*Matrix, []float64, error) {
	if k < 1 || k > x.Dim || x.N < 2 {
		return nil, nil, fmt.Errorf("PCA: %d components of %d×%d data: want 1 <= k <= %d and at least 2 rows", k, x.N, x.Dim, x.Dim)
	}
	mean := make([]float64, x.Dim)
	for i := range x.N {
		for j, v := range x.Row(i) {
			mean[j] += v / float64(x.N)
		}
	}
	centred := mat.NewDense(x.N, x.Dim, nil)
	for i := range x.N {
		for j, v := range x.Row(i) {
			centred.Set(i, j, v-mean[j])
		}
	}
	var cov mat.SymDense
	cov.SymOuterK(1/float64(x.N-1), centred.T())
	var eig mat.EigenSym
	if !eig.Factorize(&cov, true) {
		return nil, nil, fmt.Errorf("PCA: eigen-decomposition did not converge")
	}
	values := eig.Values(nil) // ascending
	var vectors mat.Dense
	eig.VectorsTo(&vectors)
	total := 0.0
	for _, v := range values {
		total += math.Max(v, 0)
	}
	proj := mat.NewDense(x.Dim, k, nil)
	shares := make([]float64, k)
	for c := range k {
		col := x.Dim - 1 - c
		sign, biggest := 1.0, 0.0
		for r := range x.Dim {
			if v := vectors.At(r, col); math.Abs(v) > biggest {
				biggest, sign = math.Abs(v), math.Copysign(1, v)
			}
		}
		for r := range x.Dim {
			proj.Set(r, c, sign*vectors.At(r, col))
		}
		if total > 0 {
			shares[c] = math.Max(values[col], 0) / total
		}
	}
	var out mat.Dense
	out.Mul(centred, proj)
	return &Matrix{N: x.N, Dim: k, Data: out.RawMatrix().Data}, shares, nil
}
