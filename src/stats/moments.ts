/**
 * Chan, Golub, LeVeque: combine (count, mean, M2) of two disjoint sets. Counts may be weights
 * (sums of example weights): the update is the same.
 */
export function mergeMoments(p: { finiteCount: number; mean: number; m2: number }, n: number, mean: number, m2: number): void {
  if (n === 0) return;
  const na = p.finiteCount;
  if (na === 0) {
    p.finiteCount = n;
    p.mean = mean;
    p.m2 = m2;
    return;
  }
  const total = na + n;
  const delta = mean - p.mean;
  p.mean += (delta * n) / total;
  p.m2 += m2 + (delta * delta * na * n) / total;
  p.finiteCount = total;
}
