package tlx

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/tlx-go/tlx/tlx/engine"
)

// ortScript runs an ONNX file in ONNX Runtime (npm onnxruntime-node) on
// one float32 input: node -e ortScript MODEL INPUT.f32 D0,D1,... OUTPUT.f32
// writes the first output's values to OUTPUT.f32 and its dims to stdout.
const ortScript = `
const fs = require('fs');
const ort = require('onnxruntime-node');
(async () => {
  const [model, input, dims, output] = process.argv.slice(1);
  const session = await ort.InferenceSession.create(model);
  const buf = fs.readFileSync(input);
  const x = new ort.Tensor('float32', new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4), dims.split(',').map(Number));
  const y = (await session.run({ [session.inputNames[0]]: x }))[session.outputNames[0]];
  if (y.type !== 'float32') throw new Error('output ' + session.outputNames[0] + ' is ' + y.type + ', want float32');
  fs.writeFileSync(output, Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
  process.stdout.write(JSON.stringify(y.dims));
})().catch((e) => { console.error(e.message || e); process.exit(1); });
`

// RunONNXRuntime runs an ONNX file in ONNX Runtime itself, as a program
// that is not tlx would — node with the npm package onnxruntime-node that
// scripts/setup.sh installs into .tlx/npm — on one float32 input x (for a
// file tlx.Export wrote: a batch of m.InputShape, preprocessed) and returns
// its first output. Use it to check that an exported model answers as the
// model did:
//
//	tlx.Must(l.Export("photos.onnx"))
//	y := tlx.Must1(tlx.RunONNXRuntime("photos.onnx", batch)) // logits [batch, classes]
func RunONNXRuntime(path string, x *tensors.Tensor) (*tensors.Tensor, error) {
	fail := func(err error) (*tensors.Tensor, error) {
		return nil, fmt.Errorf("tlx.RunONNXRuntime(%s): %w", path, err)
	}
	if _, err := os.Stat(path); err != nil {
		return fail(err)
	}
	if x == nil || x.DType().String() != "Float32" {
		return fail(errors.New("want a float32 input tensor"))
	}
	root := engine.Root()
	modules := filepath.Join(root, ".tlx", "npm", "node_modules")
	if _, err := os.Stat(filepath.Join(modules, "onnxruntime-node")); root == "" || err != nil {
		return fail(fmt.Errorf("no onnxruntime-node in %s (bash scripts/setup.sh installs it)", modules))
	}
	dir, err := os.MkdirTemp("", "tlx-ort-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	values := tensors.MustCopyFlatData[float32](x)
	raw := make([]byte, 4*len(values))
	for i, v := range values {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	in, out := filepath.Join(dir, "input.f32"), filepath.Join(dir, "output.f32")
	if err := os.WriteFile(in, raw, 0o644); err != nil {
		return fail(err)
	}
	dims := make([]string, x.Rank())
	for i, d := range x.Shape().Dimensions {
		dims[i] = fmt.Sprint(d)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fail(err)
	}
	cmd := exec.Command("node", "-e", ortScript, abs, in, strings.Join(dims, ","), out)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fail(fmt.Errorf("node with onnxruntime-node: %v: %s", err, strings.TrimSpace(stderr.String())))
	}
	var shape []int
	if err := json.Unmarshal(stdout.Bytes(), &shape); err != nil {
		return fail(fmt.Errorf("ONNX Runtime's output dims %q: %w", stdout.String(), err))
	}
	raw, err = os.ReadFile(out)
	if err != nil {
		return fail(err)
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	if len(raw) != 4*n {
		return fail(fmt.Errorf("ONNX Runtime wrote %d bytes for an output of dims %v (want %d)", len(raw), shape, 4*n))
	}
	y := make([]float32, n)
	for i := range y {
		y[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return tensors.FromFlatDataAndDimensions(y, shape...), nil
}
