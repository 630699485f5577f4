package zoo

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/tlx/engine"
	"github.com/tlx-go/tlx/tlx/internal/testutil"
	"github.com/tlx-go/tlx/tlx/net"
)

// nsfwjsOracle runs nsfwjs's bundled models in TensorFlow.js once per test
// binary (about 40 s on 2 cores).
var nsfwjsOracle = testutil.Fixtures("bash scripts/setup.sh installs nsfwjs and @tensorflow/tfjs-layers", "node", "testdata/nsfwjs_oracle.js")

// ortBackend starts ONNX Runtime, which runs these forward passes ~10x
// faster than the Go backend.
func ortBackend(t *testing.T) compute.Backend {
	t.Helper()
	if os.Getenv("ONNXRUNTIME_SHARED_LIBRARY_PATH") == "" {
		root, _ := filepath.Abs("../..")
		t.Setenv("ONNXRUNTIME_SHARED_LIBRARY_PATH", filepath.Join(root, ".tlx", "lib", "libonnxruntime.so.1"))
	}
	b, notice, err := engine.Start("onnx:cpu")
	if err != nil || notice != "" {
		t.Fatalf("ONNX Runtime backend did not start (run scripts/setup.sh): %v %s", err, notice)
	}
	return b
}

// The packaged backbones, unpacked by tlx from the npm bundles, compute
// what TensorFlow.js computes from the same bundles (read by node itself):
// the pooled features and the shipped head's probabilities. Float32
// arithmetic in another order gives relative differences of order 1e-6 at
// these depths; 1e-4 of the largest value leaves room for that and fails
// on any wrong layer, weight or padding.
func TestPackagedMatchesTFJS(t *testing.T) {
	t.Setenv("TLX_CACHE", t.TempDir())
	Progress = io.Discard
	ort := ortBackend(t)
	for _, c := range []struct {
		name, folder string
		groups       []string
	}{
		{"mobilenetv2-imagenet-nsfwjs", "mobilenet_v2", []string{"stem", "block_0", "block_1", "block_2", "block_3", "block_4", "block_5", "block_6",
			"block_7", "block_8", "block_9", "block_10", "block_11", "block_12", "block_13", "block_14", "block_15", "block_16", "Conv_1", "pool", "head"}},
		{"inceptionv3-imagenet-nsfwjs", "inception_v3", []string{"stem", "mixed0", "mixed1", "mixed2", "mixed3", "mixed4", "mixed5", "mixed6",
			"mixed7", "mixed8", "mixed9", "mixed10", "pool", "head"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, card, err := Pretrained(c.name)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(m.GroupNames(), c.groups) || !slices.Equal(card.Groups, c.groups) {
				t.Errorf("groups %v (card %v), want %v", m.GroupNames(), card.Groups, c.groups)
			}
			if m.FeatureGroup() != "pool" {
				t.Errorf("feature group %q, want pool (the cut at global average pooling)", m.FeatureGroup())
			}
			m.Compute = ort
			dir := nsfwjsOracle.Path(t, c.folder)
			var shape []int
			raw, _ := os.ReadFile(filepath.Join(dir, "input.json"))
			if err := json.Unmarshal(raw, &shape); err != nil {
				t.Fatal(err)
			}
			x := tensors.FromFlatDataAndDimensions(testutil.ReadF32(t, filepath.Join(dir, "input.f32")), shape...)
			for _, o := range []struct{ until, file string }{{"pool", "features.f32"}, {"", "output.f32"}} {
				y, err := m.Output(x, o.until)
				if err != nil {
					t.Fatal(err)
				}
				got := tensors.MustCopyFlatData[float32](y)
				want := testutil.ReadF32(t, filepath.Join(dir, o.file))
				if len(got) != len(want) {
					t.Fatalf("%s: %d values, tfjs %d", o.file, len(got), len(want))
				}
				worst, scale := testutil.MaxDiff(got, want)
				t.Logf("%s: max |tlx - tfjs| = %.2g, relative to the largest value %.2g (%.2g)", o.file, worst, scale, worst/scale)
				if worst > 1e-4*scale {
					t.Errorf("%s: tlx differs from tfjs by %.2g (largest value %.2g)", o.file, worst, scale)
				}
			}
		})
	}
}

// An entry's card names its source, license, data, input and
// preprocessing, and its weights hash is the SHA-256 of the shard bytes of
// the pinned package (so it is the same on every machine and every unpack).
func TestPackagedCard(t *testing.T) {
	Progress = io.Discard
	want := map[string]string{ // sha256 of the decoded group1-shard*.min.js bytes of nsfwjs 4.4.0, in order
		"mobilenetv2-imagenet-nsfwjs": "8e7dddbb16acacc1bf1601b1b8a761e730ff934b7f2d7771312b2f000e5f5f13",
	}
	var first *Card
	for i := range 2 { // two caches: the hash does not depend on the unpack
		t.Setenv("TLX_CACHE", t.TempDir())
		m, card, err := Pretrained("mobilenetv2-imagenet-nsfwjs")
		if err != nil {
			t.Fatal(err)
		}
		if card.WeightsSHA256 != want[card.Name] {
			t.Errorf("unpack %d: weights sha256 %s, want %s", i, card.WeightsSHA256, want[card.Name])
		}
		if first != nil && first.WeightsSHA256 != card.WeightsSHA256 {
			t.Errorf("two unpacks hash differently: %s, %s", first.WeightsSHA256, card.WeightsSHA256)
		}
		first = card
		if card.Source != "npm nsfwjs@4.4.0" || card.License != "MIT" || !strings.Contains(card.TrainData, "ImageNet-initialised") ||
			!slices.Equal(card.InputShape, []int{224, 224, 3}) || card.Preprocessing == nil || len(card.WeightFiles) != 1 {
			t.Errorf("card fields: %+v", card)
		}
		if !slices.Equal(m.Preprocessing.Mean, net.SymmetricUnit.Mean) || !slices.Equal(m.Preprocessing.Std, net.SymmetricUnit.Std) {
			t.Errorf("preprocessing %v, want [-1, 1] (%v)", m.Preprocessing, net.SymmetricUnit)
		}
		if !slices.Equal(m.Classes, nsfwjsClasses) {
			t.Errorf("classes %v", m.Classes)
		}
		for _, s := range []string{"npm nsfwjs@4.4.0", "MIT", "sha256 " + card.WeightsSHA256, "[224 224 3]"} {
			if !strings.Contains(card.String(), s) {
				t.Errorf("card text lacks %q:\n%s", s, card)
			}
		}
	}
	// A corrupted cache is noticed and unpacked again.
	dir := filepath.Join(CacheDir(), "mobilenetv2-imagenet-nsfwjs")
	if err := os.WriteFile(filepath.Join(dir, first.WeightFiles[0]), []byte("broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, card, err := Pretrained("mobilenetv2-imagenet-nsfwjs"); err != nil || card.WeightsSHA256 != first.WeightsSHA256 {
		t.Errorf("after corrupting the cache: %v, hash %v", err, card)
	}
}

// A packaged backbone runs at a smaller input (its pooling is global), and
// its recipe rebuilds it at that size.
func TestPackagedInputShape(t *testing.T) {
	t.Setenv("TLX_CACHE", t.TempDir())
	Progress = io.Discard
	m, _, err := Pretrained("mobilenetv2-imagenet-nsfwjs", Options{InputShape: []int{96, 96, 3}})
	if err != nil {
		t.Fatal(err)
	}
	m.Compute = ortBackend(t)
	x := testutil.UniformBatch(2, []int{96, 96, 3}, 1, 2)
	y, err := m.Features(x)
	if err != nil {
		t.Fatal(err)
	}
	if d := y.Shape().Dimensions; !slices.Equal(d, []int{2, 1280}) {
		t.Errorf("features of shape %v, want [2 1280]", d)
	}
	again, err := net.Rebuild(m.Recipe)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again.InputShape, []int{96, 96, 3}) {
		t.Errorf("rebuilt at %v, want [96 96 3]", again.InputShape)
	}
	if _, _, err := Pretrained("mobilenetv2-imagenet-nsfwjs", Options{InputShape: []int{96, 96, 1}}); err == nil {
		t.Error("a one-channel input shape was accepted")
	}
}
