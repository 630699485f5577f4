package data

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
)

// Vocabulary maps words to the columns of a bag-of-words vector, with each
// word's inverse document frequency. It is built from training texts only
// (BuildVocabulary), then applied to any set (BagOfWords), so validation
// words the training set never saw are not counted: the classic baseline a
// pretrained text encoder has to beat.
type Vocabulary struct {
	Words []string  // column i counts Words[i]
	IDF   []float32 // smoothed inverse document frequency of each word
	index map[string]int
}

// Words splits s into lower-case words: runs of letters and digits, with
// an apostrophe kept inside a word ("don't").
func Words(s string) []string {
	var out []string
	var cur []rune
	runes := []rune(strings.ToLower(s))
	for i, r := range runes {
		inner := (r == '\'' || r == '’') && len(cur) > 0 && i+1 < len(runes) && unicode.IsLetter(runes[i+1])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || inner {
			cur = append(cur, r)
			continue
		}
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	if len(cur) > 0 {
		out = append(out, string(cur))
	}
	return out
}

// BuildVocabulary collects the words that occur in at least minDocs of the
// texts, keeping the maxWords most frequent by document count (all when
// maxWords <= 0; ties broken alphabetically, so the result is
// deterministic), with IDF = ln((1+N)/(1+df)) + 1 as scikit-learn's
// smoothed TF-IDF.
func BuildVocabulary(t *Text, minDocs, maxWords int) (*Vocabulary, error) {
	if err := t.Check(); err != nil {
		return nil, err
	}
	df := map[string]int{}
	for _, s := range t.Texts {
		seen := map[string]bool{}
		for _, w := range Words(s) {
			if !seen[w] {
				seen[w] = true
				df[w]++
			}
		}
	}
	var words []string
	for w, n := range df {
		if n >= max(minDocs, 1) {
			words = append(words, w)
		}
	}
	slices.SortFunc(words, func(a, b string) int {
		if c := cmp.Compare(df[b], df[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	if maxWords > 0 && len(words) > maxWords {
		words = words[:maxWords]
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("vocabulary of %q: no word occurs in %d texts", t.Name, minDocs)
	}
	slices.Sort(words)
	v := &Vocabulary{Words: words, IDF: make([]float32, len(words)), index: make(map[string]int, len(words))}
	n := float64(t.Len())
	for i, w := range words {
		v.index[w] = i
		v.IDF[i] = float32(math.Log((1+n)/(1+float64(df[w]))) + 1)
	}
	return v, nil
}

// Len is the number of words (the length of a bag-of-words vector).
func (v *Vocabulary) Len() int { return len(v.Words) }

// Vector is the TF-IDF vector of s: for each vocabulary word (1 + ln
// count)·IDF, the whole scaled to unit length (all zeros when s has no
// vocabulary word).
func (v *Vocabulary) Vector(s string) []float32 {
	vec := make([]float32, len(v.Words))
	counts := map[int]int{}
	for _, w := range Words(s) {
		if i, ok := v.index[w]; ok {
			counts[i]++
		}
	}
	var norm float64
	for i, c := range counts {
		x := (1 + math.Log(float64(c))) * float64(v.IDF[i])
		vec[i] = float32(x)
		norm += x * x
	}
	if norm > 0 {
		scale := float32(1 / math.Sqrt(norm))
		for i := range counts {
			vec[i] *= scale
		}
	}
	return vec
}

// BagOfWords turns the texts into a Dataset of TF-IDF vectors of shape
// [Len()], labels and classes carried over.
func (v *Vocabulary) BagOfWords(t *Text) (*Dataset, error) {
	if err := t.Check(); err != nil {
		return nil, err
	}
	d := &Dataset{Name: t.Name + "/bow", Shape: []int{v.Len()}, Classes: t.Classes,
		X: make([]float32, 0, t.Len()*v.Len()), Y: make([]int32, t.Len())}
	for i, s := range t.Texts {
		d.X = append(d.X, v.Vector(s)...)
		d.Y[i] = int32(t.Labels[i])
	}
	return d, nil
}
