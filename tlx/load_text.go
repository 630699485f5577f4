package tlx

import (
	"fmt"

	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/text"
)

// loadText opens a BERT folder as a text encoder (text.Load): groups
// embeddings, layer0 …, pooling, head; input [seqLen] token ids with
// seqLen from LoadOptions.InputShape (default text.DefaultSeqLen). Its
// tokenizer is text.LoadTokenizer(source).
func loadText(source string, o LoadOptions) (*net.Model, error) {
	var to text.Options
	switch len(o.InputShape) {
	case 0:
	case 1:
		to.SeqLen = o.InputShape[0]
	default:
		return nil, fmt.Errorf("loading %s: LoadOptions.InputShape %v, want [seqLen] for a text encoder", source, o.InputShape)
	}
	e, err := text.Load(source, to)
	if err != nil {
		return nil, err
	}
	return e.Model, nil
}
