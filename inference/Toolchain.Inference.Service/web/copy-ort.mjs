// Copies only what the draw page's plain WASM backend loads out of node_modules/onnxruntime-web into ort/ (the
// service serves that folder at /ort/): the ES module, its worker/loader module and the SIMD+threads binary. The
// package holds ~150 MB of other backends (WebGPU, WebGL, JSEP) the page never asks for.
import { copyFileSync, mkdirSync, renameSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "node_modules", "onnxruntime-web", "dist");
const out = join(here, "ort");
export const files = ["ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"];

mkdirSync(out, { recursive: true });
let bytes = 0;
for (const name of files) {
  // Copy then rename, so a service serving ort/ never sees a half-written file.
  const staging = join(out, `.${name}.partial`);
  copyFileSync(join(dist, name), staging);
  renameSync(staging, join(out, name));
  bytes += statSync(join(out, name)).size;
}
console.log(`make web: copied ${files.join(", ")} (${(bytes / 1e6).toFixed(1)} MB) into ${out}`);
