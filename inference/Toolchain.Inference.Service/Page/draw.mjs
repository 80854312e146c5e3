// The draw page: at every stroke end it runs the service's own model.onnx in this browser (onnxruntime-web, WASM)
// and asks the server (/v1/classify), and shows both answers side by side. The file comes from /v1/model/file; a
// poll of /v1/model notices a hot reload (new SHA-256) and loads the new file without a page reload.
import { toMnistBytes, normalize, SIDE } from "/digit-framing.mjs";

const POLL_MS = 2000;
const $ = id => document.getElementById(id);
const pad = $("pad");
const ctx = pad.getContext("2d", { willReadFrequently: true });

const state = {
  ort: null,          // the onnxruntime-web module, once imported
  ortProblem: null,   // why the browser cannot classify (no onnxruntime-web, a model it cannot draw for), or null
  model: null,        // /v1/model of the model the browser runs
  session: null,      // its InferenceSession
  serverVersion: null,
  drawing: false, last: null, inked: false,
  stroke: 0,          // answers for an older stroke than the newest are dropped
  answers: {},        // stroke → { local, server } top-1 labels, to compare
};

// ---------------------------------------------------------------- drawing

function reset() {
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, pad.width, pad.height);
  ctx.strokeStyle = "#000";
  ctx.fillStyle = "#000";
  ctx.lineWidth = 18;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  state.inked = false;
  state.stroke++;
  for (const side of ["local", "server"]) {
    $(`${side}-label`).textContent = "";
    $(`${side}-top3`).replaceChildren();
    $(`${side}-ms`).textContent = "";
  }
  setAgreement("", "");
  $("status").textContent = "Draw with the mouse or a finger; Escape clears.";
}

function point(e) {
  const r = pad.getBoundingClientRect();
  return { x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height };
}

pad.addEventListener("pointerdown", e => {
  e.preventDefault();
  pad.setPointerCapture(e.pointerId);
  pad.focus();
  state.drawing = true;
  state.last = point(e);
  ctx.beginPath();
  ctx.arc(state.last.x, state.last.y, ctx.lineWidth / 2, 0, 2 * Math.PI);
  ctx.fill();
  state.inked = true;
});
pad.addEventListener("pointermove", e => {
  if (!state.drawing) return;
  const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
  for (const c of (events.length ? events : [e])) {
    const p = point(c);
    ctx.beginPath();
    ctx.moveTo(state.last.x, state.last.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    state.last = p;
  }
});
for (const type of ["pointerup", "pointercancel"]) {
  pad.addEventListener(type, () => {
    if (!state.drawing) return;
    state.drawing = false;
    strokeEnded();
  });
}
$("clear").addEventListener("click", reset);
document.addEventListener("keydown", e => {
  if (e.key === "Escape") {
    e.preventDefault();
    reset();
  }
});

// ---------------------------------------------------------------- classifying

function strokeEnded() {
  if (!state.inked) return;
  const stroke = ++state.stroke;
  state.answers = { [stroke]: {} };
  const pixels = ctx.getImageData(0, 0, pad.width, pad.height);
  classifyHere(stroke, pixels);
  classifyOnServer(stroke);
}

/** Frames, normalises and runs the canvas in this browser: { top, ms } or throws. */
async function runLocal(pixels) {
  const { ort, session, model } = state;
  const started = performance.now();
  const bytes = toMnistBytes(pixels.data, pixels.width, pixels.height, model.preprocessing);
  const input = new ort.Tensor("float32", normalize(bytes, model.info.mean, model.info.std), [1, 1, SIDE, SIDE]);
  let outputs;
  try {
    outputs = await session.run({ [model.info.input_name]: input }, [model.info.output_name]);
  } finally {
    input.dispose();
  }
  const output = outputs[model.info.output_name];
  const raw = Array.from(output.data);
  output.dispose();
  const ms = performance.now() - started;
  const probabilities = outputIsProbability(model, raw) ? raw : softmax(raw);
  const labels = model.info.labels;
  const top = probabilities.map((p, i) => ({ label: labels[i] ?? String(i), probability: p }))
    .sort((a, b) => b.probability - a.probability);
  return { top, ms, bytes };
}

async function classifyHere(stroke, pixels) {
  if (!state.session) return;
  try {
    const { top, ms } = await runLocal(pixels);
    if (stroke !== state.stroke) return;
    show("local", top.slice(0, 3), `${ms.toFixed(1)} ms in this browser`);
    answered(stroke, "local", top[0].label);
  } catch (err) {
    if (stroke !== state.stroke) return;
    $("local-label").textContent = "";
    $("local-ms").textContent = String(err.message || err);
  }
}

async function classifyOnServer(stroke) {
  const blob = await new Promise(resolve => pad.toBlob(resolve, "image/png"));
  const started = performance.now();
  try {
    const response = await fetch("/v1/classify?top_k=3", { method: "POST", headers: { "Content-Type": "image/png" }, body: blob });
    const body = await response.json();
    const ms = performance.now() - started;
    if (stroke !== state.stroke) return;
    if (!response.ok) {
      $("server-label").textContent = "";
      $("server-ms").textContent = body.detail || body.title || `error ${response.status}`;
      return;
    }
    show("server", body.top_k, `${ms.toFixed(1)} ms round trip`);
    $("server-version").textContent = body.model_version;
    answered(stroke, "server", body.label);
  } catch (err) {
    if (stroke !== state.stroke) return;
    $("server-label").textContent = "";
    $("server-top3").replaceChildren();
    $("server-ms").textContent = "the server cannot be reached";
  }
}

function answered(stroke, side, label) {
  const pair = state.answers[stroke];
  if (!pair) return;
  pair[side] = label;
  if (pair.local === undefined || pair.server === undefined) return;
  if (pair.local === pair.server) setAgreement("agree", "✓ the browser and the server agree");
  else setAgreement("disagree", `✗ they disagree: ${pair.local} here, ${pair.server} on the server`);
}

function setAgreement(kind, text) {
  const el = $("agreement");
  el.className = kind;
  el.textContent = text;
}

function show(side, top, ms) {
  $(`${side}-label`).textContent = top[0].label;
  $(`${side}-ms`).textContent = ms;
  $(`${side}-top3`).replaceChildren(...top.map(t => {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = t.label;
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.width = Math.max(1, Math.round(t.probability * 100)) + "px";
    const pct = document.createElement("span");
    pct.className = "pct";
    pct.textContent = (t.probability * 100).toFixed(1) + "%";
    li.append(name, bar, pct);
    return li;
  }));
}

/** As the server decides (OnnxModel): the card names the probabilities output, or a card-less model emits a distribution. */
function outputIsProbability(model, values) {
  if (model.card) return model.card.probabilities_name === model.info.output_name;
  const sum = values.reduce((a, b) => a + b, 0);
  return values.every(v => v >= 0 && v <= 1) && Math.abs(sum - 1) < 1e-3;
}

function softmax(logits) {
  const max = Math.max(...logits);
  const e = logits.map(v => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map(v => v / sum);
}

// ---------------------------------------------------------------- the model

/** Why the browser cannot run this model on a drawing, or null: the page draws grey 28×28 digits. */
function unsupported(model) {
  const shape = model.info.input_shape || [];
  const digitShape = shape.length === 4 && shape[1] === 1 && shape[2] === SIDE && shape[3] === SIDE;
  if (!digitShape || model.info.element_type !== "float32") {
    return `this page draws only for 1×${SIDE}×${SIDE} grey digit models (this one takes ${JSON.stringify(shape)} ${model.info.element_type})`;
  }
  if (model.preprocessing !== "digit" && model.preprocessing !== "resize") {
    return `the model's preprocessing (${model.preprocessing}) takes ${SIDE}×${SIDE} images as they are, not a drawing`;
  }
  return null;
}

async function loadOrt() {
  if (state.ort || state.ortProblem) return;
  try {
    const ort = await import("/ort/ort.wasm.min.mjs");
    ort.env.wasm.wasmPaths = "/ort/";
    // Threads need SharedArrayBuffer, which only a cross-origin isolated page has (the service sends COOP and COEP).
    ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
    state.ort = ort;
  } catch (err) {
    state.ortProblem = "onnxruntime-web is not installed on the server (run 'make web'), so this page classifies on the server only";
  }
}

async function loadModel(model) {
  const problem = unsupported(model);
  if (problem) {
    await replaceSession(null, model);
    setMode(true, `Server only: ${problem}.`);
    return;
  }
  await loadOrt();
  if (state.ortProblem) {
    await replaceSession(null, model);
    setMode(true, `Server only: ${state.ortProblem}.`);
    return;
  }
  const response = await fetch("/v1/model/file", { cache: "no-cache" });
  if (!response.ok) throw new Error(`GET /v1/model/file: ${response.status}`);
  const etag = (response.headers.get("ETag") || "").replaceAll('"', "");
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (etag !== model.sha256) {
    // The file changed between the two requests: the next poll loads whichever model is serving then.
    return;
  }
  const session = await state.ort.InferenceSession.create(bytes, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
  // One run now, so the first stroke does not pay for the WASM warm-up.
  const warm = new state.ort.Tensor("float32", new Float32Array(SIDE * SIDE), [1, 1, SIDE, SIDE]);
  for (const t of Object.values(await session.run({ [model.info.input_name]: warm }))) t.dispose();
  warm.dispose();
  await replaceSession(session, model);
  const threads = state.ort.env.wasm.numThreads;
  setMode(false, `Runs model.onnx in this browser (onnxruntime-web ${state.ort.env.versions?.web ?? ""}, WASM, ${threads} thread${threads === 1 ? "" : "s"}) and on the server.`);
}

async function replaceSession(session, model) {
  const old = state.session;
  state.session = session;
  state.model = model;
  $("local-version").textContent = session ? model.model_version : "–";
  $("card").textContent = summary(model);
  if (old) await old.release();
}

function summary(model) {
  const card = model.card;
  const parts = [`model ${model.model_version}`];
  if (card) {
    if (card.architecture) parts.push(card.architecture);
    if (card.dataset_name) parts.push(`trained on ${card.dataset_name}`);
    if (typeof card.test_accuracy === "number") parts.push(`test accuracy ${(card.test_accuracy * 100).toFixed(1)}%`);
  } else {
    parts.push("no model card");
  }
  parts.push(`${model.info.labels.length} classes`, `${model.preprocessing ?? "no"} framing`, `server on ${model.provider}`);
  return parts.join(" · ");
}

function setMode(fallback, text) {
  const el = $("mode");
  el.className = fallback ? "fallback" : "";
  el.textContent = text;
}

/** Polls /v1/model; a new SHA-256 (a hot reload) loads the new file. Keeps the last model while the server is away. */
async function poll() {
  try {
    const response = await fetch("/v1/model", { cache: "no-store" });
    if (response.ok) {
      const model = await response.json();
      $("server-version").textContent = model.model_version;
      if (!state.model || model.sha256 !== state.model.sha256) await loadModel(model);
      if ($("status").dataset.away) {
        delete $("status").dataset.away;
        $("status").textContent = "";
      }
    }
  } catch (err) {
    if (!state.model && !state.ortProblem) setMode(true, `Cannot load the model: ${err.message || err}`);
    else if (state.session) {
      $("status").dataset.away = "1";
      $("status").textContent = "The server cannot be reached; this browser still classifies.";
    }
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

// For the browser tests: the page's own model run on any pixels, and whether the first model is in.
window.drawPage = {
  runLocal: pixels => runLocal(pixels),
  get localVersion() { return state.session ? state.model.model_version : null; },
  get ortProblem() { return state.ortProblem; },
};

reset();
poll();
