package text

import (
	"fmt"
	"path/filepath"

	"github.com/gomlx/go-huggingface/tokenizers/api"
	"github.com/gomlx/go-huggingface/tokenizers/hftokenizer"
	"github.com/tlx-go/tlx/tlx/data"
)

// Tokenizer turns text into BERT token ids: go-huggingface's reader of a
// Hugging Face tokenizer.json (WordPiece for BERT models), plus the
// truncation and padding a BERT encoder expects. It satisfies
// data.TextEncoder, so data.Text.Encode takes it.
type Tokenizer struct {
	hf *hftokenizer.Tokenizer
	// PadID pads sequences to their fixed length; the encoder masks it out.
	PadID int
	// CLSID and SEPID open and close every sequence.
	CLSID, SEPID int
	// Path is the tokenizer.json read.
	Path string
}

// LoadTokenizer reads a tokenizer.json (a file, or a folder holding one).
func LoadTokenizer(path string) (*Tokenizer, error) {
	if filepath.Base(path) != "tokenizer.json" {
		path = filepath.Join(path, "tokenizer.json")
	}
	hf, err := hftokenizer.NewFromFile(nil, path)
	if err != nil {
		return nil, fmt.Errorf("text: reading tokenizer %s: %w", path, err)
	}
	// Special tokens are added here, after truncation, as HF tokenizers'
	// "LongestFirst" truncation does for a single sequence.
	if err := hf.With(api.EncodeOptions{AddSpecialTokens: false}); err != nil {
		return nil, fmt.Errorf("text: tokenizer %s: %w", path, err)
	}
	t := &Tokenizer{hf: hf, Path: path}
	vocab := hf.GetVocab()
	for _, s := range []struct {
		token string
		id    *int
	}{{"[PAD]", &t.PadID}, {"[CLS]", &t.CLSID}, {"[SEP]", &t.SEPID}} {
		id, ok := vocab[s.token]
		if !ok {
			return nil, fmt.Errorf("text: tokenizer %s has no %s token (want a BERT WordPiece tokenizer)", path, s.token)
		}
		*s.id = id
	}
	return t, nil
}

// VocabSize is the number of token ids.
func (t *Tokenizer) VocabSize() int { return t.hf.VocabSize() }

// Encode returns the ids of s as the encoder reads them: [CLS], the word
// pieces (truncated so that the whole fits in maxLen; maxLen <= 0 keeps
// all), [SEP]. It does not pad.
func (t *Tokenizer) Encode(s string, maxLen int) []int {
	pieces := t.hf.Encode(s)
	if maxLen > 0 && len(pieces) > maxLen-2 {
		pieces = pieces[:max(maxLen-2, 0)]
	}
	ids := make([]int, 0, len(pieces)+2)
	ids = append(ids, t.CLSID)
	ids = append(ids, pieces...)
	return append(ids, t.SEPID)
}

// Pieces returns the word pieces of s as strings (for showing what the
// model reads), without [CLS] and [SEP].
func (t *Tokenizer) Pieces(s string) []string {
	vocab := t.hf.GetVocab()
	names := make(map[int]string, len(vocab))
	for k, v := range vocab {
		names[v] = k
	}
	var out []string
	for _, id := range t.hf.Encode(s) {
		out = append(out, names[id])
	}
	return out
}

// EncodeBatch returns the texts as one [len(texts), seqLen] block of
// float32 ids padded with PadID: the model's input.
func (t *Tokenizer) EncodeBatch(texts []string, seqLen int) ([]float32, error) {
	if seqLen < 2 {
		return nil, fmt.Errorf("text: sequence length %d, want at least 2 ([CLS] and [SEP])", seqLen)
	}
	out := make([]float32, len(texts)*seqLen)
	for i, s := range texts {
		row := out[i*seqLen : (i+1)*seqLen]
		for j := range row {
			row[j] = float32(t.PadID)
		}
		for j, id := range t.Encode(s, seqLen) {
			row[j] = float32(id)
		}
	}
	return out, nil
}

// Tokens encodes a labelled text set into a dataset of [maxLen] token ids
// (float32, padded with PadID), keeping labels and classes: the
// data.TextEncoder contract.
func (t *Tokenizer) Tokens(d *data.Text, maxLen int) (*data.Dataset, error) {
	x, err := t.EncodeBatch(d.Texts, maxLen)
	if err != nil {
		return nil, fmt.Errorf("tokenizing %q: %w", d.Name, err)
	}
	y := make([]int32, len(d.Labels))
	for i, l := range d.Labels {
		y[i] = int32(l)
	}
	return &data.Dataset{Name: d.Name, X: x, Shape: []int{maxLen}, Y: y, Classes: d.Classes}, nil
}

// Inputs encodes texts without labels into a dataset of [seqLen] ids: a
// batch for tlx.Predict or the model's Output.
func (t *Tokenizer) Inputs(seqLen int, texts ...string) (*data.Dataset, error) {
	if len(texts) == 0 {
		return nil, fmt.Errorf("text: Inputs: no texts")
	}
	return t.Tokens(&data.Text{Name: "inputs", Texts: texts, Labels: make([]int, len(texts))}, seqLen)
}

var _ data.TextEncoder = (*Tokenizer)(nil)
