package zoo

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlx-go/tlx/tlx/arch"
	"github.com/tlx-go/tlx/tlx/data"
	"github.com/tlx-go/tlx/tlx/fit"
	"github.com/tlx-go/tlx/tlx/manifest"
	"github.com/tlx-go/tlx/tlx/net"
)

func tinyRecipe() Recipe {
	return Recipe{
		Name:        "test-mlp-digits",
		Description: "tiny MLP on digits (test only)",
		Build:       func() *net.Model { return arch.MLP("mlp", []int{16}, 10, 8, 8, 1) },
		Data: func() (*data.Dataset, *data.Dataset, error) {
			d, err := data.Digits()
			if err != nil {
				return nil, nil, err
			}
			tr, va := d.Split(0.2, 3)
			return tr, va, nil
		},
		Plan: fit.Plan{{Name: "train", Epochs: 2, LR: 1e-2}},
		Seed: 3,
	}
}

func TestPretrainedTrainsOnceThenLoads(t *testing.T) {
	t.Setenv("TLX_CACHE", t.TempDir())
	Progress = io.Discard
	Register(tinyRecipe())
	m1, card, err := Pretrained("test-mlp-digits")
	if err != nil {
		t.Fatal(err)
	}
	if card.ValAccuracy < 0.7 || card.TrainExamples == 0 || len(card.WeightsSHA256) != 64 || !strings.Contains(card.String(), "digits") {
		t.Errorf("card: %+v", card)
	}
	h1, _ := m1.WeightsHash()
	if h1 != card.WeightsSHA256 {
		t.Error("model weights differ from the card's hash")
	}
	weights := filepath.Join(CacheDir(), "test-mlp-digits", "weights.safetensors")
	info, err := os.Stat(weights)
	if err != nil {
		t.Fatal(err)
	}
	m2, _, err := Pretrained("test-mlp-digits")
	if err != nil {
		t.Fatal(err)
	}
	if h2, _ := m2.WeightsHash(); h2 != h1 {
		t.Error("second load gave other weights")
	}
	if info2, _ := os.Stat(weights); !info2.ModTime().Equal(info.ModTime()) {
		t.Error("the second call retrained instead of loading")
	}
	// Damaged weights are detected and the recipe runs again.
	os.WriteFile(weights, []byte("garbage"), 0o644)
	if _, _, err := Pretrained("test-mlp-digits"); err != nil {
		t.Errorf("recovery from damaged cache: %v", err)
	}
	if _, _, err := Pretrained("no-such-model"); err == nil || !strings.Contains(err.Error(), "cnn-mnist") {
		t.Errorf("unknown model error = %v, want the list of models", err)
	}
}

// A card says which kernel path trained it, and a recipe of a new
// revision trains again rather than loading the old weights.
func TestCardRecordsPathAndRevision(t *testing.T) {
	t.Setenv("TLX_CACHE", t.TempDir())
	Progress = io.Discard
	r := tinyRecipe()
	r.Name = "test-mlp-digits-rev"
	Register(r)
	_, card, err := Pretrained(r.Name)
	if err != nil {
		t.Fatal(err)
	}
	if card.SIMDPath != manifest.SIMDPath() || card.Revision != 0 || !strings.Contains(card.String(), card.SIMDPath+" kernels") {
		t.Errorf("card path %q revision %d (this process: %s)\n%s", card.SIMDPath, card.Revision, manifest.SIMDPath(), card)
	}
	r.Revision = 1
	Register(r)
	_, card2, err := Pretrained(r.Name)
	if err != nil {
		t.Fatal(err)
	}
	if card2.Revision != 1 || card2.Made == "" || card2.Made < card.Made {
		t.Errorf("after a revision bump: card revision %d made %s (first made %s): want a new training", card2.Revision, card2.Made, card.Made)
	}
}
