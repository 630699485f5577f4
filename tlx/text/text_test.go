package text

import (
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/net"
)

// sentences cover what tokenisation and masking can get wrong: empty and
// blank texts, accents and case (the tokenizer lowercases and strips
// accents), CJK (split per character), emoji and symbols ([UNK]), numbers,
// punctuation runs, and a text longer than the sequence (truncation).
var sentences = []string{
	"A man is playing a guitar.",
	"",
	"   ",
	"The quick brown fox jumps over the lazy dog!",
	"Café, naïve résumé — déjà vu.",
	"ÜBER ALLES IN GROSSBUCHSTABEN",
	"東京は日本の首都です。",
	"Emoji: 🙂🚀 and symbols ∑∫√ ≠ ©",
	"Prices rose 3.5% to $1,234.56 in Q3 2026.",
	"Wait... what?!?! No way -- really??",
	"unbelievably antidisestablishmentarianism supercalifragilistic",
	"Go is an open source programming language.",
	"Transfer learning reuses a pretrained model for a new task.",
	"I loved this movie, the acting was wonderful.",
	"This was the worst film I have ever seen.",
	"tab\tseparated\nand newline text",
	"Москва — столица России.",
	"e-mail me at someone@example.com or visit https://example.com/a?b=c",
	"x",
	strings.Repeat("a long sentence that keeps going and going ", 40),
}

func TestTokensMatchHFTokenizers(t *testing.T) {
	dir := miniLMDir(t)
	tok, err := LoadTokenizer(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A few hundred lines of real English from a file every Debian has,
	// plus the unicode and edge cases above.
	gpl, err := os.ReadFile("/usr/share/common-licenses/GPL-3")
	if err != nil {
		t.Fatal(err)
	}
	corpus := append(strings.Split(string(gpl), "\n"), sentences...)
	var want struct{ IDs [][]int }
	oracle(t, map[string]any{"op": "tokens", "dir": dir, "texts": corpus}, &want)
	if len(want.IDs) != len(corpus) {
		t.Fatalf("oracle gave %d encodings for %d lines", len(want.IDs), len(corpus))
	}
	bad := 0
	for i, s := range corpus {
		if got := tok.Encode(s, 0); !slices.Equal(got, want.IDs[i]) {
			bad++
			if bad <= 5 {
				t.Errorf("line %d %q:\n got %v\nwant %v", i, s, got, want.IDs[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d lines tokenised differently from HF tokenizers", bad, len(corpus))
	}
	t.Logf("%d lines, %d tokenised as HF tokenizers does", len(corpus), len(corpus)-bad)
}

// TestEmbeddingsMatchSentenceTransformers compares sentence embeddings
// with sentence-transformers' (max_seq_length 128, as the model's input
// here) by max |difference| over all coordinates (and logs 1 - cosine):
// the embeddings have unit length, 384 coordinates of ~0.05. Float32
// through six layers leaves ~1e-7 here; a wrong mask, the tanh GELU or a
// missing normalisation moves them by 1e-3 or more.
func TestEmbeddingsMatchSentenceTransformers(t *testing.T) {
	dir := miniLMDir(t)
	const seq = 128
	enc, err := Load(dir, Options{SeqLen: seq})
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Embeddings [][]float64
		IDs        [][]int
	}
	oracle(t, map[string]any{"op": "embed", "dir": dir, "seq_len": seq, "texts": sentences}, &want)
	for i, s := range sentences {
		if got := enc.Tokenizer.Encode(s, seq); !slices.Equal(got, want.IDs[i]) {
			t.Errorf("sentence %d (truncated to %d): ids %v, sentence-transformers %v", i, seq, got, want.IDs[i])
		}
	}
	x, err := enc.Tokenizer.EncodeBatch(sentences, seq)
	if err != nil {
		t.Fatal(err)
	}
	out, err := enc.Model.Output(tensors.FromFlatDataAndDimensions(x, len(sentences), seq), "")
	if err != nil {
		t.Fatal(err)
	}
	got := tensors.MustCopyFlatData[float32](out)
	dim := enc.Config.HiddenSize
	worst, worstCos := 0.0, 0.0
	for i := range sentences {
		dot, nw := 0.0, 0.0
		for j, w := range want.Embeddings[i] {
			g := float64(got[i*dim+j])
			worst = math.Max(worst, math.Abs(g-w))
			dot += g * w
			nw += w * w
		}
		worstCos = math.Max(worstCos, 1-dot/math.Sqrt(nw))
	}
	t.Logf("%d sentences: max |tlx - sentence-transformers| %.2g, max 1 - cosine %.2g", len(sentences), worst, worstCos)
	if worst > 1e-5 {
		t.Errorf("embeddings differ from sentence-transformers by %.3g (max abs), want <= 1e-5", worst)
	}
}

func TestGroupsFreezeAndHead(t *testing.T) {
	enc, err := Load(miniLMDir(t), Options{SeqLen: 16})
	if err != nil {
		t.Fatal(err)
	}
	m := enc.Model
	want := []string{"embeddings", "layer0", "layer1", "layer2", "layer3", "layer4", "layer5", "pooling", "head"}
	if !slices.Equal(m.GroupNames(), want) {
		t.Fatalf("groups %v, want %v", m.GroupNames(), want)
	}
	if m.FeatureGroup() != "pooling" {
		t.Errorf("feature group %q, want pooling", m.FeatureGroup())
	}
	if err := m.ReplaceHead(3); err != nil {
		t.Fatal(err)
	}
	if err := m.FreezeTo(5); err != nil {
		t.Fatal(err)
	}
	for i, g := range m.Groups {
		if frozen := i < 5; g.Frozen != frozen {
			t.Errorf("after FreezeTo(5) group %s frozen=%v", g.Name, g.Frozen)
		}
	}
	x, err := enc.Tokenizer.EncodeBatch([]string{"good", "bad"}, 16)
	if err != nil {
		t.Fatal(err)
	}
	logits, err := m.Output(tensors.FromFlatDataAndDimensions(x, 2, 16), "")
	if err != nil {
		t.Fatal(err)
	}
	if d := logits.Shape().Dimensions; !slices.Equal(d, []int{2, 3}) {
		t.Errorf("logits %v, want [2 3]", d)
	}
	// The recipe rebuilds the same model (pretrained body, a 3-class head)
	// in a later process; the bodies' embeddings agree exactly.
	r, err := net.Rebuild(m.Recipe)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.GroupNames(), want) {
		t.Errorf("rebuilt groups %v", r.GroupNames())
	}
	a, _ := m.Output(tensors.FromFlatDataAndDimensions(x, 2, 16), "pooling")
	b, _ := r.Output(tensors.FromFlatDataAndDimensions(x, 2, 16), "pooling")
	if !slices.Equal(tensors.MustCopyFlatData[float32](a), tensors.MustCopyFlatData[float32](b)) {
		t.Error("the rebuilt model's embeddings differ")
	}
}

func TestTokensDataset(t *testing.T) {
	tok, err := LoadTokenizer(miniLMDir(t))
	if err != nil {
		t.Fatal(err)
	}
	texts := &data.Text{Name: "t", Texts: []string{"hello world", "a b c d e f g h"}, Labels: []int{1, 0}, Classes: []string{"x", "y"}}
	d, err := texts.Encode(tok, 6)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	hello := tok.Encode("hello world", 0) // [CLS] hello world [SEP]
	wantFirst := []float32{float32(hello[0]), float32(hello[1]), float32(hello[2]), float32(hello[3]), 0, 0}
	if !slices.Equal(d.Example(0), wantFirst) {
		t.Errorf("example 0 %v, want %v (padded with 0)", d.Example(0), wantFirst)
	}
	if second := d.Example(1); second[0] != float32(tok.CLSID) || second[5] != float32(tok.SEPID) {
		t.Errorf("example 1 %v: want [CLS] first and [SEP] last after truncation", second)
	}
	if d.Y[0] != 1 || d.Y[1] != 0 || !slices.Equal(d.Shape, []int{6}) {
		t.Errorf("labels %v, shape %v", d.Y, d.Shape)
	}
}
