// Runs an ONNX file in ONNX Runtime (npm onnxruntime-node) on one float32 input.
//   node ort_run.js MODEL.onnx INPUT.f32 D0,D1,... > OUTPUT.json
// NODE_PATH must reach onnxruntime-node (tlx's setup installs it into .tlx/npm).
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [model, inputPath, dims] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model);
  const buf = fs.readFileSync(inputPath);
  const data = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const shape = dims.split(',').map(Number);
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, shape) };
  const out = await session.run(feeds);
  const y = out[session.outputNames[0]];
  process.stdout.write(JSON.stringify({ dims: y.dims, data: Array.from(y.data) }));
}
main().catch((e) => { console.error(e.message || e); process.exit(1); });
