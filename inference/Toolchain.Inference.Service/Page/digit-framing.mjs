// The library's image framing (inference/Toolchain.Inference/Imaging: InkMap, MnistFraming, Resampler,
// PixelNormalizer), ported so the page feeds the model the tensor the server would. The C# works in float32 with a
// few sums in double and rounds half to even (Math.Round); every step here does the same (fround after each float
// operation, roundHalfEven), so the two agree pixel for pixel, not just roughly. Keep both in step.

const f = Math.fround;

/** Side of the model's input (MNIST's 28×28). */
export const SIDE = 28;
/** The box the digit's longer side is scaled to. */
const DIGIT_BOX = 20;
/** MNIST's centre of mass, in pixel-index coordinates. */
const CENTRE = 14.0;
/** Working images are box-averaged down to this longer side. */
const MAX_WORKING_SIDE = 2048;
const NOISE_FLOOR = f(0.2);
const MIN_CONTRAST = f(0.15);

/** C#'s Math.Round(double): halves go to the even neighbour. */
export function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const clamp = (v, lo, hi) => (v < lo ? lo : v > hi ? hi : v);

/** ImageSharp's Rgba32 → La16 luminance: BT.709 in float32, plus 0.5, truncated. */
function luminance(r, g, b) {
  return Math.trunc(f(f(f(f(r * f(0.2126)) + f(g * f(0.7152))) + f(b * f(0.0722))) + f(0.5)));
}

/** The outer ring's width: 2% of the shorter side, at least one pixel. */
const ringOf = (width, height) => Math.max(1, Math.floor(Math.min(width, height) / 50));

/** What transparent pixels are composited over (InkMap.Backdrop): black for light strokes on a transparent canvas, else white. */
function backdrop(lum, alpha, width, height) {
  const ring = ringOf(width, height);
  let borderAlpha = 0, borderCount = 0, drawnLight = 0, drawnAlpha = 0, opaque = 0;
  for (let y = 0; y < height; y++) {
    const edgeRow = y < ring || y >= height - ring;
    for (let x = 0; x < width; x++) {
      const i = y * width + x, a = alpha[i];
      if (edgeRow || x < ring || x >= width - ring) {
        borderAlpha += a;
        borderCount++;
      }
      drawnLight += lum[i] * a;
      drawnAlpha += a;
      if (a > 127) opaque++;
    }
  }
  const transparentBackground = borderAlpha < 127.5 * borderCount;
  const lightDrawing = drawnAlpha > 0 && drawnLight / drawnAlpha > 127.5;
  const strokes = opaque < Math.floor((width * height) / 2);
  return transparentBackground && lightDrawing && strokes ? 0 : 255;
}

/** InkMap.Brightness: paper brightness in [0,1], alpha over the backdrop, box-averaged to at most 2048 px a side. */
export function brightness(rgba, width, height) {
  const n = width * height;
  const lum = new Uint8Array(n), alpha = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    lum[i] = luminance(rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]);
    alpha[i] = rgba[4 * i + 3];
  }
  const back = f(backdrop(lum, alpha, width, height));
  const factor = Math.floor((Math.max(width, height) + MAX_WORKING_SIDE - 1) / MAX_WORKING_SIDE);
  const w = Math.floor((width + factor - 1) / factor), h = Math.floor((height + factor - 1) / factor);
  const sums = new Float32Array(w * h), counts = new Int32Array(w * h);
  for (let y = 0; y < height; y++) {
    const outRow = Math.floor(y / factor) * w;
    for (let x = 0; x < width; x++) {
      const i = y * width + x, a = alpha[i];
      const value = f(f(lum[i] * a + f(back * (255 - a))) / f(255 * 255));
      const o = outRow + Math.floor(x / factor);
      sums[o] += value; // Float32Array stores round to float32, as C#'s float += does.
      counts[o]++;
    }
  }
  for (let i = 0; i < sums.length; i++) sums[i] /= counts[i];
  return { width: w, height: h, values: sums };
}

/** InkMap.BorderMedian. */
function borderMedian(ink) {
  const { width, height, values } = ink;
  const ring = ringOf(width, height);
  const border = [];
  for (let y = 0; y < height; y++) {
    const edgeRow = y < ring || y >= height - ring;
    for (let x = 0; x < width; x++) {
      if (edgeRow || x < ring || x >= width - ring) border.push(values[y * width + x]);
    }
  }
  const sorted = Float32Array.from(border).sort();
  return sorted[Math.floor(sorted.length / 2)];
}

/** InkMap.ToInk: inverts dark-on-light pictures so ink is high. */
function toInk(ink) {
  const invert = borderMedian(ink) >= 0.5;
  if (invert) {
    const v = ink.values;
    for (let i = 0; i < v.length; i++) v[i] = 1 - v[i];
  }
  return invert;
}

/** InkMap.Stretch: paper to 0, solid ink to 1, the faint rest zeroed; false when nothing stands out. */
function stretch(ink) {
  const values = ink.values;
  const paper = borderMedian(ink);
  let max = 0;
  for (const v of values) max = Math.max(max, v);
  if (f(max - paper) < MIN_CONTRAST) return false;
  const half = f(paper + f(f(max - paper) / 2));
  const inked = [];
  for (const v of values) if (v > half) inked.push(v);
  const sorted = Float32Array.from(inked).sort();
  const solid = sorted[Math.floor(sorted.length / 2)];
  const scale = f(1 / Math.max(f(solid - paper), f(1e-6)));
  const keep = f(1 - NOISE_FLOOR);
  let any = false;
  for (let i = 0; i < values.length; i++) {
    let v = clamp(f(f(values[i] - paper) * scale), 0, 1);
    v = Math.max(0, f(f(v - NOISE_FLOOR) / keep));
    values[i] = v;
    any ||= v > 0;
  }
  return any;
}

/** Resampler.Weights: for each output sample, its input samples and float32 weights. */
function weights(from, to) {
  const result = [];
  const scale = from / to;
  for (let o = 0; o < to; o++) {
    const list = [];
    if (scale >= 1) {
      const start = o * scale, end = (o + 1) * scale;
      for (let i = Math.floor(start); i < Math.min(from, Math.ceil(end)); i++) {
        const overlap = Math.min(end, i + 1) - Math.max(start, i);
        if (overlap > 1e-9) list.push([i, f(overlap / scale)]);
      }
    } else {
      const centre = clamp((o + 0.5) * scale - 0.5, 0, from - 1);
      const i0 = Math.floor(centre), i1 = Math.min(i0 + 1, from - 1);
      const t = f(centre - i0);
      list.push([i0, f(1 - t)]);
      if (i1 !== i0) list.push([i1, t]);
    }
    result.push(list);
  }
  return result;
}

/** Resampler.Resize: area averaging when shrinking, linear when enlarging, separable. */
function resize(src, width, height, newWidth, newHeight) {
  const horizontal = new Float32Array(newWidth * height);
  const wx = weights(width, newWidth);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < newWidth; x++) {
      let sum = 0;
      for (const [index, weight] of wx[x]) sum = f(sum + f(src[y * width + index] * weight));
      horizontal[y * newWidth + x] = sum;
    }
  }
  const result = new Float32Array(newWidth * newHeight);
  const wy = weights(height, newHeight);
  for (let y = 0; y < newHeight; y++) {
    for (const [index, weight] of wy[y]) {
      for (let x = 0; x < newWidth; x++) {
        result[y * newWidth + x] += f(horizontal[index * newWidth + x] * weight);
      }
    }
  }
  return result;
}

/** MnistFraming.Trim: drops up to `allowance` of the mass from each end of a profile. */
function trim(profile, allowance) {
  let first = 0, last = profile.length - 1, dropped = 0;
  while (first < last && (profile[first] === 0 || dropped + profile[first] <= allowance)) dropped += profile[first++];
  dropped = 0;
  while (last > first && (profile[last] === 0 || dropped + profile[last] <= allowance)) dropped += profile[last--];
  return [first, last];
}

/** MnistFraming.InkBounds: the ink's box, ignoring at most 0.5% of its mass per side (specks). */
function inkBounds(ink) {
  const { width, height, values } = ink;
  const rows = new Float64Array(height), cols = new Float64Array(width);
  let total = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x];
      rows[y] += v;
      cols[x] += v;
      total += v;
    }
  }
  const [y0, y1] = trim(rows, total * 0.005);
  const [x0, x1] = trim(cols, total * 0.005);
  return { x0, y0, x1, y1 };
}

/** MnistFraming.Place: the patch into a 28×28 byte frame. */
function place(patch, width, height, left, top) {
  const frame = new Uint8Array(SIDE * SIDE);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      frame[(y + top) * SIDE + x + left] = roundHalfEven(f(clamp(patch[y * width + x], 0, 1) * 255));
    }
  }
  return frame;
}

/** MnistFraming.Digit: crop to the ink, longer side to 20 px, centre of mass to (14, 14) by whole pixels. */
function frameDigit(ink) {
  const { x0, y0, x1, y1 } = inkBounds(ink);
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const crop = new Float32Array(bw * bh);
  for (let y = 0; y < bh; y++) crop.set(ink.values.subarray((y + y0) * ink.width + x0, (y + y0) * ink.width + x0 + bw), y * bw);
  const scale = DIGIT_BOX / Math.max(bw, bh);
  const nw = clamp(roundHalfEven(bw * scale), 1, DIGIT_BOX), nh = clamp(roundHalfEven(bh * scale), 1, DIGIT_BOX);
  const patch = resize(crop, bw, bh, nw, nh);
  let mass = 0, my = 0, mx = 0;
  for (let y = 0; y < nh; y++) {
    for (let x = 0; x < nw; x++) {
      const v = patch[y * nw + x];
      mass += v;
      my += v * y;
      mx += v * x;
    }
  }
  const top = clamp(roundHalfEven(CENTRE - my / mass), 0, SIDE - nh);
  const left = clamp(roundHalfEven(CENTRE - mx / mass), 0, SIDE - nw);
  return place(patch, nw, nh, left, top);
}

/** MnistFraming.Fit: the whole picture into 28×28 keeping its aspect, centred. */
function frameFit(ink) {
  const scale = SIDE / Math.max(ink.width, ink.height);
  const nw = clamp(roundHalfEven(ink.width * scale), 1, SIDE), nh = clamp(roundHalfEven(ink.height * scale), 1, SIDE);
  const patch = resize(ink.values, ink.width, ink.height, nw, nh);
  return place(patch, nw, nh, Math.floor((SIDE - nw) / 2), Math.floor((SIDE - nh) / 2));
}

/**
 * DigitPreprocessor.ToMnistBytes for pixels already decoded: RGBA bytes (e.g. a canvas's ImageData) → 28×28
 * white-on-black bytes. `mode` is the card's preprocessing mode ("digit" or "resize"). Throws with the library's
 * words for a blank picture or a mode that cannot take it.
 */
export function toMnistBytes(rgba, width, height, mode = "digit") {
  if (mode !== "digit" && mode !== "resize") {
    throw new Error(`preprocessing mode ${mode} takes a 28×28 MNIST-style image as it is; the page draws ${width}×${height}`);
  }
  const ink = brightness(rgba, width, height);
  toInk(ink);
  if (!stretch(ink)) throw new Error("has no digit: the image is blank (nothing stands out from the background)");
  return mode === "digit" ? frameDigit(ink) : frameFit(ink);
}

/** PixelNormalizer.Normalize: (p/255 − mean)/std in double, rounded once to float32. */
export function normalize(pixels, mean, std) {
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) table[v] = (v / 255 - mean) / std;
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = table[pixels[i]];
  return out;
}
