package tlx

import (
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/text"
)

// TestLoadTextFolder opens MiniLM's package folder through tlx.Load and
// checks that it is text.Load's encoder (same groups, same embeddings) and
// that its recipe rebuilds it.
func TestLoadTextFolder(t *testing.T) {
	dir, err := text.MiniLMDir()
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(dir, LoadOptions{InputShape: []int{16}})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := text.Load(dir, text.Options{SeqLen: 16})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.GroupNames(), enc.Model.GroupNames()) || !slices.Equal(m.InputShape, []int{16}) {
		t.Fatalf("groups %v input %v, want %v [16]", m.GroupNames(), m.InputShape, enc.Model.GroupNames())
	}
	x, err := enc.Tokenizer.EncodeBatch([]string{"a folder of weights", "loaded by tlx.Load"}, 16)
	if err != nil {
		t.Fatal(err)
	}
	batch := func() *tensors.Tensor { return tensors.FromFlatDataAndDimensions(x, 2, 16) }
	a, err := m.Output(batch(), "")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := enc.Model.Output(batch(), "")
	if !slices.Equal(tensors.MustCopyFlatData[float32](a), tensors.MustCopyFlatData[float32](b)) {
		t.Error("tlx.Load and text.Load give different embeddings")
	}
	r, err := net.Rebuild(m.Recipe)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.InputShape, []int{16}) {
		t.Errorf("rebuilt input %v, want [16]", r.InputShape)
	}
	if _, err := Load(dir, LoadOptions{InputShape: []int{4, 4}}); err == nil {
		t.Error("a 2-D input shape for a text encoder was accepted")
	}
}
