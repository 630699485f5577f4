package data

import (
	"encoding/json"
	"math"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	got := Words("Don't PANIC -- it's 42, l'été; rock'n'roll 'quoted'")
	want := []string{"don't", "panic", "it's", "42", "l'été", "rock'n'roll", "quoted"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

var bowCorpus = &Text{Name: "bow", Classes: []string{"a", "b"}, Labels: []int{0, 0, 1, 1, 1}, Texts: []string{
	"the cat sat on the mat",
	"the cat ate the cat food",
	"dogs chase the cat",
	"a dog and a dog and a bird",
	"birds sing",
}}

// TestBagOfWordsMatchesScikitLearn compares the TF-IDF vectors with
// scikit-learn's TfidfVectorizer (sublinear tf, smoothed idf, L2 norm;
// Debian python3-sklearn, installed by setup) on the same words.
func TestBagOfWordsMatchesScikitLearn(t *testing.T) {
	v, err := BuildVocabulary(bowCorpus, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	d, err := v.BagOfWords(bowCorpus)
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	for _, s := range bowCorpus.Texts {
		docs = append(docs, strings.Join(Words(s), " "))
	}
	in, _ := json.Marshal(docs)
	script := `
import json, sys
from sklearn.feature_extraction.text import TfidfVectorizer
docs = json.loads(sys.argv[1])
v = TfidfVectorizer(analyzer=str.split, sublinear_tf=True, smooth_idf=True, norm="l2", lowercase=False)
x = v.fit_transform(docs).toarray()
print(json.dumps({"words": list(v.get_feature_names_out()), "x": x.tolist()}))
`
	out, err := exec.Command("/usr/bin/python3", "-c", script, string(in)).Output()
	if err != nil {
		t.Fatalf("scikit-learn (apt-get install python3-sklearn): %v", err)
	}
	var want struct {
		Words []string
		X     [][]float64
	}
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(v.Words, want.Words) {
		t.Fatalf("words %q, scikit-learn %q", v.Words, want.Words)
	}
	for i, row := range want.X {
		for j, w := range row {
			// float32 arithmetic on values of order 1: a few ulps.
			if got := float64(d.Example(i)[j]); math.Abs(got-w) > 1e-6 {
				t.Errorf("text %d word %q: %.7f, scikit-learn %.7f", i, v.Words[j], got, w)
			}
		}
	}
}

func TestVocabularyLimits(t *testing.T) {
	v, err := BuildVocabulary(bowCorpus, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Only cat and the occur in two or more texts (three each).
	if !slices.Equal(v.Words, []string{"cat", "the"}) {
		t.Errorf("minDocs 2: %q", v.Words)
	}
	v, err = BuildVocabulary(bowCorpus, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(v.Words, []string{"cat"}) { // the tie with "the" goes alphabetically
		t.Errorf("maxWords 1: %q", v.Words)
	}
	if vec := v.Vector("no known word here"); slices.ContainsFunc(vec, func(x float32) bool { return x != 0 }) {
		t.Errorf("unknown words gave %v", vec)
	}
	if _, err := BuildVocabulary(bowCorpus, 9, 0); err == nil {
		t.Error("a vocabulary with no word was built")
	}
}
