package data

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// textFixture is a set of n texts over three classes with unequal counts.
func textFixture(n int) *Text {
	t := &Text{Name: "fixture", Classes: []string{"a", "b", "c"}}
	for i := range n {
		y := i % 3
		if i%5 == 0 {
			y = 0
		}
		t.Texts = append(t.Texts, strings.Repeat(t.Classes[y], 1+i%4)+" "+string(rune('A'+i%26)))
		t.Labels = append(t.Labels, y)
	}
	return t
}

func TestTextSplitStratifiedSeeded(t *testing.T) {
	d := textFixture(200)
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	train, val := d.Split(0.25, 7)
	if train.Len()+val.Len() != d.Len() {
		t.Fatalf("split lost examples: %d + %d != %d", train.Len(), val.Len(), d.Len())
	}
	counts, vc := d.Counts(), val.Counts()
	for c := range counts {
		want := float64(counts[c]) * 0.25
		if diff := float64(vc[c]) - want; diff > 0.5 || diff < -0.5 {
			t.Errorf("class %d: %d of %d in validation, want %.1f rounded", c, vc[c], counts[c], want)
		}
	}
	train2, _ := d.Split(0.25, 7)
	if !slices.Equal(train.Texts, train2.Texts) {
		t.Error("the same seed gave another split")
	}
	train3, _ := d.Split(0.25, 8)
	if slices.Equal(train.Texts, train3.Texts) {
		t.Error("seeds 7 and 8 gave the same split")
	}
	seen := map[string]int{}
	for _, s := range append(slices.Clone(train.Texts), val.Texts...) {
		seen[s]++
	}
	for _, s := range d.Texts {
		seen[s]--
	}
	for s, n := range seen {
		if n != 0 {
			t.Errorf("text %q: count off by %d after split", s, n)
		}
	}
}

// TestTextSplitMatchesDataset checks that a Text and a Dataset with the
// same labels split into the same example indices, so splitting before or
// after tokenizing gives the same partition.
func TestTextSplitMatchesDataset(t *testing.T) {
	tx := textFixture(97)
	ds := &Dataset{Name: "ids", Shape: []int{1}, Classes: tx.Classes}
	for i, y := range tx.Labels {
		ds.X = append(ds.X, float32(i))
		ds.Y = append(ds.Y, int32(y))
	}
	for seed := range uint64(4) {
		tt, tv := tx.Split(0.3, seed)
		dt, dv := ds.Split(0.3, seed)
		if tt.Len() != dt.Len() || tv.Len() != dv.Len() {
			t.Fatalf("seed %d: sizes %d/%d vs %d/%d", seed, tt.Len(), tv.Len(), dt.Len(), dv.Len())
		}
		for i := range dv.Len() {
			if tv.Texts[i] != tx.Texts[int(dv.X[i])] {
				t.Fatalf("seed %d: validation example %d differs", seed, i)
			}
		}
	}
}

func TestTextSubsetTakeFewShot(t *testing.T) {
	d := textFixture(60)
	s := d.Subset([]int{5, 0, 59})
	if !slices.Equal(s.Texts, []string{d.Texts[5], d.Texts[0], d.Texts[59]}) || !slices.Equal(s.Labels, []int{d.Labels[5], d.Labels[0], d.Labels[59]}) {
		t.Errorf("Subset: got %q %v", s.Texts, s.Labels)
	}
	if got := d.Take(30, 1).Len(); got < 29 || got > 31 {
		t.Errorf("Take(30): %d examples", got)
	}
	if d.Take(100, 1) != d {
		t.Error("Take(n >= Len) should return the set itself")
	}
	few := d.FewShot(2, 3)
	for c, n := range few.Counts() {
		if n != 2 {
			t.Errorf("FewShot(2): class %d has %d", c, n)
		}
	}
}

func TestTextCheckErrors(t *testing.T) {
	for name, bad := range map[string]*Text{
		"empty":    {Name: "e", Classes: []string{"a"}},
		"labels":   {Name: "l", Texts: []string{"x", "y"}, Labels: []int{0}, Classes: []string{"a"}},
		"range":    {Name: "r", Texts: []string{"x"}, Labels: []int{2}, Classes: []string{"a", "b"}},
		"negative": {Name: "n", Texts: []string{"x"}, Labels: []int{-1}, Classes: []string{"a"}},
	} {
		if err := bad.Check(); err == nil {
			t.Errorf("%s: Check passed", name)
		} else if !strings.Contains(err.Error(), bad.Name) {
			t.Errorf("%s: error %q does not name the set", name, err)
		}
	}
}

func TestTextFingerprint(t *testing.T) {
	a, b := textFixture(10), textFixture(10)
	if a.Fingerprint() != b.Fingerprint() {
		t.Error("equal sets, different fingerprints")
	}
	b.Labels[3] = (b.Labels[3] + 1) % 3
	if a.Fingerprint() == b.Fingerprint() {
		t.Error("a changed label kept the fingerprint")
	}
	c := textFixture(10)
	c.Texts[0], c.Texts[1] = c.Texts[0]+c.Texts[1][:1], c.Texts[1][1:]
	if a.Fingerprint() == c.Fingerprint() {
		t.Error("moving a character between texts kept the fingerprint")
	}
}

// byteEncoder is a TextEncoder that encodes each byte as its value + 1,
// padded with 0: the contract's shape, padding and labels in a few lines.
type byteEncoder struct{}

func (byteEncoder) Tokens(t *Text, maxLen int) (*Dataset, error) {
	if maxLen < 1 {
		return nil, errors.New("maxLen < 1")
	}
	d := &Dataset{Name: t.Name, Shape: []int{maxLen}, Classes: t.Classes}
	for i, s := range t.Texts {
		row := make([]float32, maxLen)
		for j := 0; j < len(s) && j < maxLen; j++ {
			row[j] = float32(s[j]) + 1
		}
		d.X = append(d.X, row...)
		d.Y = append(d.Y, int32(t.Labels[i]))
	}
	return d, nil
}

func TestTextEncode(t *testing.T) {
	tx := &Text{Name: "enc", Texts: []string{"ab", "abcdef"}, Labels: []int{1, 0}, Classes: []string{"x", "y"}}
	d, err := tx.Encode(byteEncoder{}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.X, []float32{'a' + 1, 'b' + 1, 0, 0, 'a' + 1, 'b' + 1, 'c' + 1, 'd' + 1}) || !slices.Equal(d.Y, []int32{1, 0}) {
		t.Errorf("encoded %v %v", d.X, d.Y)
	}
	if _, err := tx.Encode(byteEncoder{}, 0); err == nil || !strings.Contains(err.Error(), `text "enc"`) {
		t.Errorf("encoder error: %v, want it wrapped with the set's name", err)
	}
	bad := &Text{Name: "bad", Texts: []string{"a"}, Labels: []int{3}, Classes: []string{"x"}}
	if _, err := bad.Encode(byteEncoder{}, 4); err == nil {
		t.Error("a set with a label out of range was encoded")
	}
}
