// Pooling turns token vectors [batch, seq, dims] into one sentence vector per row, with the same
// maths as sentence-transformers' Pooling module: padding never contributes.
import type { Pooling } from '../types';

/** Row-major token embeddings of a padded batch, plus its attention mask. */
export interface TokenBatch {
  data: Float32Array; // batch * seq * dims
  batch: number;
  seq: number;
  dims: number;
  /** 1 for real tokens, 0 for padding, length batch * seq. */
  mask: ArrayLike<number | bigint>;
}

export function pool(tokens: TokenBatch, mode: Pooling, normalize: boolean): Float32Array[] {
  const { data, batch, seq, dims, mask } = tokens;
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const v = new Float32Array(dims);
    const rowBase = b * seq * dims;
    if (mode === 'cls') {
      v.set(data.subarray(rowBase, rowBase + dims));
    } else if (mode === 'mean') {
      // Accumulate in float64 so long passages do not lose precision against torch's result.
      const acc = new Float64Array(dims);
      let count = 0;
      for (let t = 0; t < seq; t++) {
        if (!Number(mask[b * seq + t])) continue;
        count++;
        const base = rowBase + t * dims;
        for (let d = 0; d < dims; d++) acc[d] += data[base + d];
      }
      // sentence-transformers clamps the token count at 1e-9; an all-padding row pools to zeros.
      const denom = Math.max(count, 1e-9);
      for (let d = 0; d < dims; d++) v[d] = acc[d] / denom;
    } else {
      // Max over real tokens only (sentence-transformers sets padding to -1e9 before the max).
      v.fill(-1e9);
      for (let t = 0; t < seq; t++) {
        if (!Number(mask[b * seq + t])) continue;
        const base = rowBase + t * dims;
        for (let d = 0; d < dims; d++) if (data[base + d] > v[d]) v[d] = data[base + d];
      }
    }
    if (normalize) l2normalizeInPlace(v);
    out.push(v);
  }
  return out;
}

/**
 * The same pooling for a right-padded batch given each row's length (row r's first lengths[r]
 * tokens are real): no mask reads per token, one accumulator for the whole batch.
 */
export function poolRows(data: Float32Array, batch: number, seq: number, dims: number, lengths: Int32Array, mode: Pooling, normalize: boolean): Float32Array[] {
  const out = new Array<Float32Array>(batch);
  const acc = new Float64Array(dims);
  for (let b = 0; b < batch; b++) {
    const v = new Float32Array(dims);
    const rowBase = b * seq * dims;
    const len = Math.min(lengths[b], seq);
    if (mode === 'cls') {
      v.set(data.subarray(rowBase, rowBase + dims));
    } else if (mode === 'mean') {
      // float64, as pool(): long passages keep torch's precision.
      acc.fill(0);
      for (let t = 0, base = rowBase; t < len; t++, base += dims) for (let d = 0; d < dims; d++) acc[d] += data[base + d];
      const denom = Math.max(len, 1e-9);
      for (let d = 0; d < dims; d++) v[d] = acc[d] / denom;
    } else {
      v.fill(-1e9);
      for (let t = 0, base = rowBase; t < len; t++, base += dims) for (let d = 0; d < dims; d++) if (data[base + d] > v[d]) v[d] = data[base + d];
    }
    if (normalize) l2normalizeInPlace(v);
    out[b] = v;
  }
  return out;
}

export function l2normalizeInPlace(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  // torch.nn.functional.normalize uses eps=1e-12 on the norm.
  const norm = Math.max(Math.sqrt(sum), 1e-12);
  for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}
