package tlx

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/tlx-go/tlx/tlx/hub"
	"github.com/tlx-go/tlx/tlx/hub/hubtest"
	"github.com/tlx-go/tlx/tlx/internal/testutil"
	"github.com/tlx-go/tlx/tlx/safetensors"
)

// logitsDiff runs m on the oracle's input and returns max |m - oracle|
// relative to the largest logit.
func logitsDiff(t *testing.T, run func(x *tensors.Tensor) (*tensors.Tensor, error), io *safetensors.File, nchw bool) float64 {
	t.Helper()
	in := io.Tensors["input"]
	data, _ := in.Float32s()
	s := in.Shape
	x := tensors.FromFlatDataAndDimensions(data, s...)
	if nchw { // PyTorch's NCHW -> tlx's NHWC
		nhwc, shape := testutil.NCHWToNHWC(data, s)
		x = tensors.FromFlatDataAndDimensions(nhwc, shape...)
	}
	y, err := run(x)
	if err != nil {
		t.Fatal(err)
	}
	got := tensors.MustCopyFlatData[float32](y)
	want, _ := io.Tensors["logits"].Float32s()
	worst, scale := testutil.MaxDiff(got, want)
	return worst / math.Max(scale, 1)
}

// A PyTorch-exported ONNX file served by a (local) hub loads with
// tlx.Load("hf:..."), computes PyTorch's logits, and loads again offline
// from the cache once the hub is gone.
func TestLoadFromHub(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("/usr/bin/python3", "onnxnet/testdata/export_models.py", dir, "smallcnn").CombinedOutput(); err != nil {
		t.Fatalf("exporting the PyTorch model: %v\n%s", err, out)
	}
	model, err := os.ReadFile(filepath.Join(dir, "smallcnn.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	io, err := safetensors.ReadFile(filepath.Join(dir, "smallcnn_io.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	srv := hubtest.New("tlx-test/smallcnn", map[string][]byte{"model.onnx": model, "README.md": []byte("# small CNN")})
	opts := &hub.Options{CacheDir: t.TempDir(), Endpoint: srv.URL}
	m, err := Load("hf:tlx-test/smallcnn", LoadOptions{Hub: opts})
	if err != nil {
		t.Fatal(err)
	}
	if d := logitsDiff(t, func(x *tensors.Tensor) (*tensors.Tensor, error) { return m.Output(x, "") }, io, true); d > 1e-4 {
		t.Errorf("hub model: logits differ from PyTorch by %.2g relative", d)
	}
	srv.Close()
	opts.Offline = true
	m2, err := Load("hf:tlx-test/smallcnn", LoadOptions{Hub: opts})
	if err != nil {
		t.Fatalf("offline, from the cache: %v", err)
	}
	if !slices.Equal(m2.GroupNames(), m.GroupNames()) {
		t.Errorf("offline model groups %v, online %v", m2.GroupNames(), m.GroupNames())
	}
	opts.CacheDir = t.TempDir()
	if _, err := Load("hf:tlx-test/smallcnn", LoadOptions{Hub: opts}); err == nil || !strings.Contains(err.Error(), "offline") {
		t.Errorf("offline with an empty cache: %v", err)
	}
}

// torchvision and timm state_dicts are recognised by their names and
// built into tlx's architectures.
func TestLoadPyTorchWeights(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("/usr/bin/python3", "arch/testdata/export_torchvision.py", dir).CombinedOutput(); err != nil {
		t.Fatalf("exporting torchvision weights: %v\n%s", err, out)
	}
	io, err := safetensors.ReadFile(filepath.Join(dir, "mobilenet_io.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"mobilenet_v2.safetensors", "mobilenet_v2_timm.safetensors"} {
		m, err := Load(filepath.Join(dir, file), LoadOptions{InputShape: []int{64, 64, 3}})
		if err != nil {
			t.Fatal(err)
		}
		if d := logitsDiff(t, func(x *tensors.Tensor) (*tensors.Tensor, error) { return m.Output(x, "") }, io, false); d > 1e-4 {
			t.Errorf("%s: logits differ from PyTorch by %.2g relative", file, d)
		}
	}
	r, err := Load(filepath.Join(dir, "resnet18.safetensors"), LoadOptions{InputShape: []int{64, 64, 3}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"stem", "layer1", "layer2", "layer3", "layer4", "head"}; !slices.Equal(r.GroupNames(), want) {
		t.Errorf("resnet groups %v, want %v", r.GroupNames(), want)
	}
	if _, err := Load(filepath.Join(dir, "io.safetensors")); err == nil || !strings.Contains(err.Error(), "not a torchvision") {
		t.Errorf("an unrelated safetensors file: %v", err)
	}
	if _, err := Load("weights.pt"); err == nil || !strings.Contains(err.Error(), "unknown format") {
		t.Errorf("unknown extension: %v", err)
	}
}
