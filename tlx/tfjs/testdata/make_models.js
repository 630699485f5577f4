// Builds TF.js layers models with @tensorflow/tfjs-layers (CPU backend), saves
// them in the layers-model format (model.json + binary shards) and records
// tfjs's own predictions as the oracle for tlx's TF.js import.
//
//   NODE_PATH=.tlx/npm/node_modules node make_models.js OUT_DIR
//
// For each model NAME (mobilenetish, resnetish) it writes OUT_DIR/NAME/ (float32
// weights in two shards), OUT_DIR/NAME_uint8/ and OUT_DIR/NAME_uint16/ (weights
// quantised the way tfjs-converter does: value = q * scale + min), each with
// input.f32 (NHWC), input.json (its shape) and output.f32 (tfjs's prediction
// from exactly the weights in that folder).
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfl = require('@tensorflow/tfjs-layers');

// A small deterministic generator (LCG), so fixtures are reproducible.
let state = 12345;
function rand() {
  state = (state * 1103515245 + 12345) % 2147483648;
  return state / 2147483648;
}
function uniform(n, lo, hi) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rand();
  return a;
}

function mobilenetish() {
  const L = tfl.layers;
  const inp = tfl.input({ shape: [32, 32, 3], name: 'image' });
  let x = L.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: 'stem_pad' }).apply(inp);
  x = L.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, name: 'stem_conv' }).apply(x);
  x = L.batchNormalization({ name: 'stem_bn' }).apply(x);
  x = L.reLU({ maxValue: 6, name: 'stem_relu' }).apply(x);
  let y = L.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, name: 'block1_dw' }).apply(x);
  y = L.batchNormalization({ name: 'block1_dw_bn' }).apply(y);
  y = L.activation({ activation: 'relu6', name: 'block1_dw_relu' }).apply(y);
  y = L.conv2d({ filters: 8, kernelSize: 1, useBias: false, name: 'block1_project' }).apply(y);
  y = L.batchNormalization({ name: 'block1_project_bn' }).apply(y);
  x = L.add({ name: 'block1_add' }).apply([x, y]);
  x = L.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2, name: 'block2_dw' }).apply(x);
  x = L.conv2d({ filters: 16, kernelSize: 1, activation: 'relu', name: 'block2_pw' }).apply(x);
  x = L.globalAveragePooling2d({ name: 'pool' }).apply(x);
  x = L.dropout({ rate: 0.2, name: 'dropout' }).apply(x);
  const out = L.dense({ units: 5, activation: 'softmax', name: 'predictions' }).apply(x);
  return tfl.model({ inputs: inp, outputs: out, name: 'mobilenetish' });
}

function resnetish() {
  const L = tfl.layers;
  const inp = tfl.input({ shape: [24, 24, 2], name: 'image' });
  let x = L.conv2d({ filters: 6, kernelSize: 5, strides: 2, padding: 'same', name: 'conv1' }).apply(inp);
  x = L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'pool1' }).apply(x);
  const a = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'mix_a' }).apply(x);
  const b = L.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same', name: 'mix_b' }).apply(x);
  x = L.concatenate({ name: 'mix_concat' }).apply([a, b]);
  x = L.averagePooling2d({ poolSize: 2, name: 'pool2' }).apply(x);
  x = L.flatten({ name: 'flatten' }).apply(x);
  x = L.dense({ units: 12, activation: 'tanh', name: 'fc1' }).apply(x);
  x = L.reshape({ targetShape: [3, 4], name: 'reshape' }).apply(x);
  x = L.flatten({ name: 'flatten2' }).apply(x);
  const out = L.dense({ units: 3, name: 'logits' }).apply(x);
  return tfl.model({ inputs: inp, outputs: out, name: 'resnetish' });
}

// setWeights gives every weight deterministic values (variances positive).
function setWeights(model) {
  const values = model.weights.map((w) => {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const [lo, hi] = w.name.includes('variance') ? [0.5, 1.5] : w.name.includes('gamma') ? [0.5, 1.5] : [-0.5, 0.5];
    return tf.tensor(uniform(n, lo, hi), w.shape);
  });
  model.setWeights(values);
}

async function artifactsOf(model) {
  let saved;
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return saved;
}

// quantise rewrites float32 weights as uint8/uint16 with scale and min.
function quantise(specs, data, dtype) {
  const floats = new Float32Array(data);
  const bytes = dtype === 'uint8' ? 1 : 2;
  const levels = dtype === 'uint8' ? 255 : 65535;
  const out = [];
  const chunks = [];
  let offset = 0;
  for (const spec of specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const v = floats.subarray(offset, offset + n);
    offset += n;
    let min = Infinity, max = -Infinity;
    for (const f of v) { min = Math.min(min, f); max = Math.max(max, f); }
    const scale = max > min ? (max - min) / levels : 1;
    const q = dtype === 'uint8' ? new Uint8Array(n) : new Uint16Array(n);
    for (let i = 0; i < n; i++) q[i] = Math.round((v[i] - min) / scale);
    chunks.push(Buffer.from(q.buffer));
    out.push({ ...spec, quantization: { dtype, scale, min } });
  }
  const buf = Buffer.concat(chunks);
  void bytes;
  return { specs: out, data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) };
}

async function write(dir, topology, specs, data, input, shards) {
  fs.mkdirSync(dir, { recursive: true });
  const buf = Buffer.from(data);
  const paths = [];
  const size = Math.ceil(buf.length / shards);
  for (let i = 0; i < shards; i++) {
    const name = `group1-shard${i + 1}of${shards}.bin`;
    fs.writeFileSync(path.join(dir, name), buf.subarray(i * size, Math.min((i + 1) * size, buf.length)));
    paths.push(name);
  }
  const json = { format: 'layers-model', generatedBy: 'tlx testdata/make_models.js', convertedBy: null,
    modelTopology: topology, weightsManifest: [{ paths, weights: specs }] };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  // The oracle: tfjs loads exactly these artifacts and predicts.
  const model = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs: specs, weightData: data }));
  const y = model.predict(input);
  fs.writeFileSync(path.join(dir, 'input.f32'), Buffer.from(input.dataSync().buffer));
  fs.writeFileSync(path.join(dir, 'input.json'), JSON.stringify(input.shape));
  fs.writeFileSync(path.join(dir, 'output.f32'), Buffer.from(y.dataSync().buffer));
}

async function main() {
  const out = process.argv[2];
  await tf.setBackend('cpu');
  for (const [name, build] of [['mobilenetish', mobilenetish], ['resnetish', resnetish]]) {
    const model = build();
    setWeights(model);
    const a = await artifactsOf(model);
    const shape = [2, ...model.inputs[0].shape.slice(1)];
    const input = tf.tensor(uniform(shape.reduce((p, q) => p * q, 1), 0, 1), shape);
    await write(path.join(out, name), a.modelTopology, a.weightSpecs, a.weightData, input, 2);
    for (const dtype of ['uint8', 'uint16']) {
      const q = quantise(a.weightSpecs, a.weightData, dtype);
      await write(path.join(out, `${name}_${dtype}`), a.modelTopology, q.specs, q.data, input, 1);
    }
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
