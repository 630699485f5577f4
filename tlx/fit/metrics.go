package fit

import (
	"math"
	"sort"
)

// Scores are classification metrics over a set of examples.
type Scores struct {
	Loss     float64 // mean cross-entropy
	Accuracy float64
	Top5     float64 // top-k with k = min(5, classes-1)
	MacroF1  float64
	// Confusion[i][j] counts examples of class i predicted as j.
	Confusion [][]int
}

// Score computes Scores from logits (n × classes, row-major) and labels.
func Score(logits []float32, labels []int32, classes int) Scores {
	n := len(labels)
	s := Scores{Confusion: make([][]int, classes)}
	for i := range s.Confusion {
		s.Confusion[i] = make([]int, classes)
	}
	if n == 0 {
		return s
	}
	k := min(5, max(classes-1, 1))
	var loss float64
	correct, topk := 0, 0
	for i := range n {
		row := logits[i*classes : (i+1)*classes]
		y := int(labels[i])
		best, mx, lse := softmaxParts(row)
		loss += -(float64(row[y]) - mx - lse)
		if best == y {
			correct++
		}
		rank := 0
		for _, v := range row {
			if v > row[y] {
				rank++
			}
		}
		if rank < k {
			topk++
		}
		s.Confusion[y][best]++
	}
	s.Loss = loss / float64(n)
	s.Accuracy = float64(correct) / float64(n)
	s.Top5 = float64(topk) / float64(n)
	s.MacroF1 = macroF1(s.Confusion)
	return s
}

// softmaxParts returns the top class of a row of logits, its logit, and
// log Σ exp(logit - max): the pieces of softmax probabilities and the
// cross-entropy, computed stably.
func softmaxParts(row []float32) (best int, mx, lse float64) {
	mx = math.Inf(-1)
	for j, v := range row {
		if float64(v) > mx {
			best, mx = j, float64(v)
		}
	}
	var sum float64
	for _, v := range row {
		sum += math.Exp(float64(v) - mx)
	}
	return best, mx, math.Log(sum)
}

// TopClass returns the most likely class of a row of logits and its
// softmax probability.
func TopClass(row []float32) (class int, prob float64) {
	best, _, lse := softmaxParts(row)
	return best, math.Exp(-lse)
}

// macroF1 averages the per-class F1 over classes that occur in the labels
// or the predictions.
func macroF1(conf [][]int) float64 {
	var sum float64
	count := 0
	for c := range conf {
		tp, fn, fp := conf[c][c], 0, 0
		for j := range conf {
			if j != c {
				fn += conf[c][j]
				fp += conf[j][c]
			}
		}
		if tp+fn+fp == 0 {
			continue
		}
		sum += 2 * float64(tp) / float64(2*tp+fn+fp)
		count++
	}
	if count == 0 {
		return 0
	}
	return sum / float64(count)
}

// PerClass returns each class's recall (accuracy on its examples).
func (s Scores) PerClass() []float64 {
	out := make([]float64, len(s.Confusion))
	for c, row := range s.Confusion {
		total := 0
		for _, v := range row {
			total += v
		}
		if total > 0 {
			out[c] = float64(row[c]) / float64(total)
		}
	}
	return out
}

// TopLosses returns the indices of the n examples with the highest loss.
func TopLosses(logits []float32, labels []int32, classes, n int) []int {
	type item struct {
		i    int
		loss float64
	}
	items := make([]item, len(labels))
	for i := range labels {
		row := logits[i*classes : (i+1)*classes]
		_, mx, lse := softmaxParts(row)
		items[i] = item{i, -(float64(row[labels[i]]) - mx - lse)}
	}
	sort.SliceStable(items, func(a, b int) bool { return items[a].loss > items[b].loss })
	out := make([]int, 0, n)
	for _, it := range items[:min(n, len(items))] {
		out = append(out, it.i)
	}
	return out
}
