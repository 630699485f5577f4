package tfjs

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/tlx/internal/testutil"
)

// fixtures builds the TF.js models with tfjs under node once per test binary.
var fixtures = testutil.Fixtures("bash scripts/setup.sh installs @tensorflow/tfjs-layers", "node", "testdata/make_models.js")

// Models built and saved by TensorFlow.js, with float32 and quantised
// weights, predict in tlx what tfjs predicts.
func TestLoadMatchesTFJS(t *testing.T) {
	wantGroups := map[string][]string{
		"mobilenetish": {"stem_pad", "stem_conv", "stem_bn", "stem_relu", "block1", "block2_dw", "block2_pw", "pool", "dropout", "head"},
		"resnetish":    {"conv1", "pool1", "mix", "pool2", "flatten", "fc1", "reshape", "flatten2", "head"},
	}
	for _, base := range []string{"mobilenetish", "resnetish"} {
		for _, variant := range []string{"", "_uint8", "_uint16"} {
			t.Run(base+variant, func(t *testing.T) {
				dir := fixtures.Path(t, base+variant)
				m, err := Load(filepath.Join(dir, "model.json"))
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(m.GroupNames(), wantGroups[base]) {
					t.Errorf("groups %v, want %v", m.GroupNames(), wantGroups[base])
				}
				var shape []int
				raw, _ := os.ReadFile(filepath.Join(dir, "input.json"))
				_ = json.Unmarshal(raw, &shape)
				x := tensors.FromFlatDataAndDimensions(testutil.ReadF32(t, filepath.Join(dir, "input.f32")), shape...)
				y, err := m.Output(x, "")
				if err != nil {
					t.Fatal(err)
				}
				got := tensors.MustCopyFlatData[float32](y)
				want := testutil.ReadF32(t, filepath.Join(dir, "output.f32"))
				if len(got) != len(want) {
					t.Fatalf("%d outputs, tfjs %d", len(got), len(want))
				}
				worst, scale := testutil.MaxDiff(got, want)
				t.Logf("max |tlx - tfjs| = %.2g (outputs up to %.2g)", worst, scale)
				if worst > 1e-5*math.Max(scale, 1) {
					t.Errorf("outputs differ from tfjs's by %.2g", worst)
				}
			})
		}
	}
}
