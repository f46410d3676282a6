// Similarity between sentence vectors. Cosine and dot are "higher is closer"; euclidean is a
// distance ("lower is closer"), reported as is so users see the real figure.
import type { Metric } from '../types';

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  const denom = Math.sqrt(aa) * Math.sqrt(bb);
  return denom === 0 ? 0 : ab / denom;
}

export function euclidean(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s);
}

export function similarity(a: Float32Array, b: Float32Array, metric: Metric): number {
  switch (metric) {
    case 'cosine': return cosine(a, b);
    case 'dot': return dot(a, b);
    case 'euclidean': return euclidean(a, b);
  }
}

/** N×N matrix for N vectors: one model pass per text, then N² cheap vector operations. */
export function similarityMatrix(vectors: Float32Array[], metric: Metric): number[][] {
  const n = vectors.length;
  const m: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const s = similarity(vectors[i], vectors[j], metric);
      m[i][j] = s;
      m[j][i] = s;
    }
  }
  return m;
}
