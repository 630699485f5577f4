// Runs nsfwjs's own bundled models in TensorFlow.js (CPU backend) and
// records their predictions as the oracle for tlx's packaged zoo entries.
//
//   NODE_PATH=.tlx/npm/node_modules node nsfwjs_oracle.js OUT_DIR
//
// The bundles are read by node itself (require), not by tlx's unbundler, so
// the oracle is independent of the Go code under test. For each model FOLDER
// (mobilenet_v2 at 224², batch 2; inception_v3 at 299², batch 1) it writes
// OUT_DIR/FOLDER/input.f32 (NHWC, deterministic values in [-1, 1]),
// input.json (its shape), features.f32 (the flattened global pooling, what
// the zoo's "pool" group computes) and output.f32 (the 5 class
// probabilities of the shipped head).
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfl = require('@tensorflow/tfjs-layers');

let state = 2024;
function rand() {
  state = (state * 1103515245 + 12345) % 2147483648;
  return state / 2147483648;
}

async function oracle(out, folder, size, batch) {
  const modules = (process.env.NODE_PATH || '').split(path.delimiter).find((d) => d && fs.existsSync(path.join(d, 'nsfwjs')));
  if (!modules) throw new Error('nsfwjs is not in NODE_PATH (bash scripts/setup.sh installs it)');
  const dir = path.resolve(modules, 'nsfwjs', 'dist', 'models', folder);
  const json = require(path.join(dir, 'model.min.js'));
  const group = json.weightsManifest[0];
  const shards = group.paths.map((p) => Buffer.from(require(path.join(dir, path.basename(p, '.bin') + '.min.js')), 'base64'));
  const buf = Buffer.concat(shards);
  const data = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
  const model = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: group.weights, weightData: data }));
  const shape = [batch, size, size, 3];
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = 2 * rand() - 1;
  const x = tf.tensor(values, shape);
  const flatten = model.layers.find((l) => l.getClassName() === 'Flatten');
  const both = tfl.model({ inputs: model.inputs, outputs: [flatten.output, model.outputs[0]] });
  const [features, y] = both.predict(x);
  const target = path.join(out, folder);
  fs.mkdirSync(target, { recursive: true });
  fs.writeFileSync(path.join(target, 'input.f32'), Buffer.from(values.buffer));
  fs.writeFileSync(path.join(target, 'input.json'), JSON.stringify(shape));
  fs.writeFileSync(path.join(target, 'features.f32'), Buffer.from(features.dataSync().buffer));
  fs.writeFileSync(path.join(target, 'output.f32'), Buffer.from(y.dataSync().buffer));
}

async function main() {
  const out = process.argv[2];
  await tf.setBackend('cpu');
  await oracle(out, 'mobilenet_v2', 224, 2);
  await oracle(out, 'inception_v3', 299, 1);
}
main().catch((e) => { console.error(e); process.exit(1); });
