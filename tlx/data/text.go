package data

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
)

// Text is a labelled set of texts: Texts[i] has class Labels[i], an index
// into Classes. It is the raw form of a text task; a tokenizer turns it
// into a *Dataset of token ids (see TextEncoder) that the rest of tlx
// trains on.
//
//	t, err := data.LoadTextCSV("reviews.csv", "review", "sentiment")
//	train, val := t.Split(0.2, 1)              // stratified, seeded
//	ids, err := train.Encode(tokenizer, 64)    // [64] token ids per example
type Text struct {
	Name    string
	Texts   []string // the examples
	Labels  []int    // class index of each example
	Classes []string // class names, indexed by label
}

// TextEncoder turns texts into a Dataset of token ids: one example of
// shape [maxLen] per text, ids stored as float32 (exact below 2^24) and
// padded with the encoder's pad id, labels and classes carried over.
// text.Tokenizer (package tlx/text) satisfies it.
type TextEncoder interface {
	Tokens(t *Text, maxLen int) (*Dataset, error)
}

// Encode tokenizes the texts with enc into sequences of maxLen token ids.
func (t *Text) Encode(enc TextEncoder, maxLen int) (*Dataset, error) {
	if err := t.Check(); err != nil {
		return nil, err
	}
	d, err := enc.Tokens(t, maxLen)
	if err != nil {
		return nil, fmt.Errorf("text %q: encode to %d tokens: %w", t.Name, maxLen, err)
	}
	return d, nil
}

// Len is the number of examples.
func (t *Text) Len() int { return len(t.Texts) }

// Check verifies that there is one label per text and that labels are in
// range.
func (t *Text) Check() error {
	if t.Len() == 0 {
		return fmt.Errorf("text %q is empty", t.Name)
	}
	if len(t.Labels) != len(t.Texts) {
		return fmt.Errorf("text %q: %d labels for %d texts", t.Name, len(t.Labels), len(t.Texts))
	}
	for i, y := range t.Labels {
		if y < 0 || y >= len(t.Classes) {
			return fmt.Errorf("text %q: example %d has label %d, want 0..%d", t.Name, i, y, len(t.Classes)-1)
		}
	}
	return nil
}

// Subset returns the examples at the given indices, in that order.
func (t *Text) Subset(indices []int) *Text {
	out := &Text{Name: t.Name, Classes: t.Classes,
		Texts: make([]string, 0, len(indices)), Labels: make([]int, 0, len(indices))}
	for _, i := range indices {
		out.Texts = append(out.Texts, t.Texts[i])
		out.Labels = append(out.Labels, t.Labels[i])
	}
	return out
}

// Split divides the examples into a training and a validation part,
// stratified: each class contributes valFraction of its examples to
// validation. The same seed gives the same split, and the same split as
// Dataset.Split of the encoded texts.
func (t *Text) Split(valFraction float64, seed uint64) (train, val *Text) {
	ti, vi := splitIndices(t.Labels, len(t.Classes), valFraction, seed)
	train, val = t.Subset(ti), t.Subset(vi)
	train.Name, val.Name = t.Name+"/train", t.Name+"/val"
	return train, val
}

// Take returns n examples drawn at random with stratification (each class
// keeps its share), or the whole set when n >= Len().
func (t *Text) Take(n int, seed uint64) *Text {
	if n >= t.Len() {
		return t
	}
	_, part := t.Split(float64(n)/float64(t.Len()), seed)
	part.Name = fmt.Sprintf("%s[%d]", t.Name, part.Len())
	return part
}

// FewShot returns k examples of each class (fewer where a class has fewer).
func (t *Text) FewShot(k int, seed uint64) *Text {
	idx := fewShotIndices(t.Labels, len(t.Classes), k, seed)
	out := t.Subset(idx)
	out.Name = fmt.Sprintf("%s[%d-shot]", t.Name, k)
	return out
}

// Counts returns the number of examples of each class (labels out of
// range are not counted).
func (t *Text) Counts() []int {
	counts := make([]int, len(t.Classes))
	for _, y := range t.Labels {
		if y >= 0 && y < len(counts) { // Check reports the others
			counts[y]++
		}
	}
	return counts
}

// Fingerprint is a SHA-256 of the classes, labels and texts: equal
// fingerprints mean equal data.
func (t *Text) Fingerprint() string {
	h := sha256.New()
	fmt.Fprintf(h, "text|%d|%q|", t.Len(), t.Classes)
	for i, s := range t.Texts {
		binary.Write(h, binary.LittleEndian, int64(t.Labels[i]))
		binary.Write(h, binary.LittleEndian, int64(len(s)))
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// String summarises the set: examples, classes and their counts.
func (t *Text) String() string {
	counts := t.Counts()
	parts := make([]string, len(t.Classes))
	for i, c := range t.Classes {
		parts[i] = fmt.Sprintf("%s %d", c, counts[i])
	}
	return fmt.Sprintf("%s: %d texts, %d classes (%s)", t.Name, t.Len(), len(t.Classes), strings.Join(parts, ", "))
}
