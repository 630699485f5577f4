package text_test

import (
	"fmt"

	"github.com/tlx-go/tlx/tlx"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/text"
)

// The package doc's example, compiled by the tests (it is not run here:
// TestPredictSentence and TestFineTuneMiniLM run the same calls).
func Example() {
	enc := tlx.Must1(text.MiniLM())
	texts := &data.Text{Name: "topics", Texts: []string{"The striker scored twice.", "Bake for 20 minutes."}, Labels: []int{0, 1}, Classes: []string{"sport", "baking"}}
	train := tlx.Must1(texts.Encode(enc.Tokenizer, 128))
	m := enc.Model
	tlx.Must(m.ReplaceHead(len(train.Classes)))
	m.Classes = train.Classes
	tlx.Must1(fit.FineTune(m, train, fit.Plan{
		{Name: "head", TrainLast: 1, Epochs: 10, LR: 1e-2},
		{Name: "top", Train: []string{"layer4", "layer5", "head"}, Epochs: 2, LR: 1e-3, LRLow: 1e-4},
	}, fit.Config{BatchSize: 16, Seed: 1}))
	in := tlx.Must1(enc.Tokenizer.Inputs(128, "Who won the match?"))
	fmt.Println(tlx.Must1(tlx.Predict(m, in, 1)))
	emb := tlx.Must1(fit.Outputs(m, in, "pooling"))
	fmt.Println(len(emb))
}
