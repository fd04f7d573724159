// SPDX-License-Identifier: GPL-3.0-or-later
// Runs an ONNX model with ONNX Runtime (npm's onnxruntime-node) on the windows of a JSON file
// ({dims: [batch, length, features], data: [...]}) and prints its forecast the same way.
// usage: NODE_PATH=node_modules node run-onnx.js MODEL.onnx WINDOWS.json
const fs = require('fs');
const ort = require('onnxruntime-node');

(async () => {
  const [model, windows] = process.argv.slice(2);
  const input = JSON.parse(fs.readFileSync(windows, 'utf8'));
  const session = await ort.InferenceSession.create(model);
  const result = await session.run({
    window: new ort.Tensor('float32', Float32Array.from(input.data), input.dims),
  });
  console.log(JSON.stringify({ dims: result.forecast.dims, data: Array.from(result.forecast.data) }));
})().catch((e) => {
  console.error(String(e));
  process.exit(1);
});
