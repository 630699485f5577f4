package data

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Stratified draws, shared by Dataset and Text: they work on labels alone,
// so a Text and the Dataset it encodes to split into the same examples.

// indicesByClass returns the example indices of each of numClasses
// classes, each list shuffled with seed.
func indicesByClass[L int | int32](labels []L, numClasses int, seed uint64) [][]int {
	rng := rand.New(rand.NewPCG(seed, 0xda7a))
	groups := make([][]int, numClasses)
	for _, i := range rng.Perm(len(labels)) {
		groups[labels[i]] = append(groups[labels[i]], i)
	}
	return groups
}

// splitIndices divides the examples into training and validation indices
// (each sorted), stratified: each class gives valFraction of its examples
// to validation.
func splitIndices[L int | int32](labels []L, numClasses int, valFraction float64, seed uint64) (train, val []int) {
	for _, idx := range indicesByClass(labels, numClasses, seed) {
		nv := int(math.Round(valFraction * float64(len(idx))))
		val = append(val, idx[:nv]...)
		train = append(train, idx[nv:]...)
	}
	sort.Ints(train)
	sort.Ints(val)
	return train, val
}

// fewShotIndices returns k example indices of each class (fewer where a
// class has fewer), sorted.
func fewShotIndices[L int | int32](labels []L, numClasses, k int, seed uint64) []int {
	var idx []int
	for _, c := range indicesByClass(labels, numClasses, seed) {
		idx = append(idx, c[:min(k, len(c))]...)
	}
	sort.Ints(idx)
	return idx
}
