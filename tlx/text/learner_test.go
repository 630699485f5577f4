package text_test

import (
	"fmt"
	"testing"

	"github.com/tlx-go/tlx/tlx"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/text"
	"github.com/tlx-go/tlx/tlx/zoo"
)

// TestLearnerReopensMiniLM trains the zoo's MiniLM in a named Learner and
// opens it again by name, as a later notebook cell would: the model is
// rebuilt from its recipe (zoo entry, new head) with the trained weights,
// and its predictions are the same.
func TestLearnerReopensMiniLM(t *testing.T) {
	t.Setenv("TLX_CACHE", t.TempDir())
	t.Setenv("TLX_RUNS", t.TempDir())
	m, _, err := zoo.Pretrained(zoo.MiniLM, zoo.Options{InputShape: []int{16}})
	if err != nil {
		t.Fatal(err)
	}
	texts := &data.Text{Name: "topics", Classes: []string{"sport", "baking"}}
	for i := range 8 {
		texts.Texts = append(texts.Texts, fmt.Sprintf("The striker scored goal number %d.", i), fmt.Sprintf("Bake the loaf for %d minutes.", 20+i))
		texts.Labels = append(texts.Labels, 0, 1)
	}
	tr, va := texts.Split(0.25, 1)
	tok, err := textTokenizer(m)
	if err != nil {
		t.Fatal(err)
	}
	train, err := tr.Encode(tok, 16)
	if err != nil {
		t.Fatal(err)
	}
	val, err := va.Encode(tok, 16)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.ReplaceHead(2); err != nil {
		t.Fatal(err)
	}
	l, err := tlx.NewLearner("minilm-topics", m, train, val, fit.Config{Seed: 1, BatchSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Fit(fit.Plan{{Name: "head", TrainLast: 1, Epochs: 3, LR: 1e-2}}); err != nil {
		t.Fatal(err)
	}
	in, err := tok.Inputs(16, "Who scored the goal?")
	if err != nil {
		t.Fatal(err)
	}
	before, err := l.Predict(in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := tlx.OpenLearner("minilm-topics")
	if err != nil {
		t.Fatal(err)
	}
	after, err := again.Predict(in)
	if err != nil {
		t.Fatal(err)
	}
	if before.String() != after.String() {
		t.Errorf("reopened Learner predicts %s, the trained one %s", after, before)
	}
	t.Log(after)
}

// textTokenizer is text.TokenizerOf (a helper so the test reads as a cell).
func textTokenizer(m *net.Model) (*text.Tokenizer, error) { return text.TokenizerOf(m) }
