package text_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/tlx-go/tlx/tlx"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/text"
)

// TestFineTuneMiniLM runs the image course's plan on text: a head on the
// frozen encoder (feature cache), then the top layers with per-group rates
// (LRLow..LR). It checks that training lowers the loss, that frozen groups
// stay bit for bit and trained ones move.
func TestFineTuneMiniLM(t *testing.T) {
	t.Setenv("TLX_CACHE", t.TempDir())
	enc, err := text.MiniLM(text.Options{SeqLen: 16})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	var labels []int
	for i := range 12 {
		texts = append(texts, fmt.Sprintf("The team scored %d goals in the second half of the match.", i))
		labels = append(labels, 0)
		texts = append(texts, fmt.Sprintf("Stir %d spoons of sugar into the warm dough and bake it.", i))
		labels = append(labels, 1)
	}
	d, err := (&data.Text{Name: "sport-or-baking", Texts: texts, Labels: labels, Classes: []string{"sport", "baking"}}).Encode(enc.Tokenizer, 16)
	if err != nil {
		t.Fatal(err)
	}
	m := enc.Model
	if err := m.ReplaceHead(2); err != nil {
		t.Fatal(err)
	}
	before := map[string]map[string][]float32{}
	for _, g := range []string{"embeddings", "layer3", "layer4", "layer5"} {
		before[g], err = m.GroupValues(g)
		if err != nil {
			t.Fatal(err)
		}
	}
	h, err := fit.FineTune(m, d, fit.Plan{
		{Name: "head", TrainLast: 1, Epochs: 4, LR: 1e-2},
		{Name: "top", Train: []string{"layer4", "layer5", "head"}, Epochs: 1, LR: 1e-3, LRLow: 2e-4},
	}, fit.Config{BatchSize: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	loss, err := h.Series(fit.MetricTrainLoss)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("train loss per epoch %.4f", loss)
	if loss[3] >= loss[0] {
		t.Errorf("the head's training loss did not fall: %v", loss)
	}
	for g, vals := range before {
		after, err := m.GroupValues(g)
		if err != nil {
			t.Fatal(err)
		}
		same := maps.EqualFunc(vals, after, func(a, b []float32) bool { return slices.Equal(a, b) })
		if trained := g == "layer4" || g == "layer5"; same == trained {
			t.Errorf("group %s: unchanged=%v after the plan (trained in stage top: %v)", g, same, trained)
		}
	}
}

// TestPredictSentence predicts new sentences' classes with tlx.Predict on
// the tokenizer's Inputs, after a head trained on a clear two-topic task.
func TestPredictSentence(t *testing.T) {
	t.Setenv("TLX_CACHE", t.TempDir())
	m, err := tlx.Load(tlx.Must1(text.MiniLMDir()), tlx.LoadOptions{InputShape: []int{16}})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := text.TokenizerOf(m)
	if err != nil {
		t.Fatal(err)
	}
	train := &data.Text{Name: "topics", Classes: []string{"sport", "baking"}}
	for i := range 8 {
		train.Texts = append(train.Texts, fmt.Sprintf("The striker scored goal number %d in the final.", i), fmt.Sprintf("Bake the bread for %d minutes in a hot oven.", 20+i))
		train.Labels = append(train.Labels, 0, 1)
	}
	d, err := train.Encode(tok, 16)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.ReplaceHead(2); err != nil {
		t.Fatal(err)
	}
	m.Classes = train.Classes
	if _, err := fit.FineTune(m, d, fit.Plan{{Name: "head", TrainLast: 1, Epochs: 10, LR: 3e-2}}, fit.Config{BatchSize: 8, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	in, err := tok.Inputs(16, "The goalkeeper saved a penalty.", "Knead the dough and let it rise.")
	if err != nil {
		t.Fatal(err)
	}
	p, err := tlx.Predict(m, in, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(p)
	if got := p.Classes(); !slices.Equal(got, []string{"sport", "baking"}) {
		t.Errorf("predicted %v, want [sport baking]", got)
	}
}
