/**
 * Exact AUC ROC and average precision over every distinct prediction, as scikit-learn computes
 * them (roc_auc_score, average_precision_score): examples with weight 0 are dropped, examples
 * with equal predictions form one threshold (a tie is one step of the curve, so ROC's
 * trapezoid counts a tied positive/negative pair as half right), and average precision is
 * sum over thresholds of (recall_n - recall_{n-1}) * precision_n, no interpolation.
 */

/** An AUC, or NaN with the reason it is undefined. */
export interface AucResult {
  aucRoc: number;
  aucPr: number;
  /** why aucRoc / aucPr is NaN, when it is */
  reasons: { aucRoc?: string; aucPr?: string };
}

/** Both AUCs of binary labels (0/1), predictions (any real score) and weights (>= 0), all of one length. */
export function binaryAucs(predictions: Float64Array, labels: Float64Array, weights: Float64Array): AucResult {
  const order: number[] = [];
  for (let i = 0; i < predictions.length; i++) if (weights[i]! > 0) order.push(i);
  // descending by prediction; ties stay together, their order inside the group does not matter
  order.sort((a, b) => predictions[b]! - predictions[a]!);
  let pos = 0;
  let neg = 0;
  for (const i of order) {
    if (labels[i] === 1) pos += weights[i]!;
    else neg += weights[i]!;
  }
  const reasons: AucResult['reasons'] = {};
  if (pos === 0 || neg === 0) {
    reasons.aucRoc = `AUC ROC is undefined: the examples with weight > 0 have ${pos === 0 ? 'no positive' : 'no negative'} labels (only one class)`;
  }
  if (pos === 0)
    reasons.aucPr = 'AUC PR is undefined: the examples with weight > 0 have no positive labels, so recall is undefined';

  let tp = 0;
  let fp = 0;
  let rocArea = 0; // in units of (weighted tp) x (weighted fp); normalised at the end
  let ap = 0;
  for (let g = 0; g < order.length;) {
    const score = predictions[order[g]!]!;
    let groupTp = 0;
    let groupFp = 0;
    for (; g < order.length && predictions[order[g]!] === score; g++) {
      const i = order[g]!;
      if (labels[i] === 1) groupTp += weights[i]!;
      else groupFp += weights[i]!;
    }
    rocArea += groupFp * (tp + tp + groupTp) * 0.5;
    tp += groupTp;
    fp += groupFp;
    if (groupTp > 0) ap += groupTp * (tp / (tp + fp));
  }
  return {
    aucRoc: reasons.aucRoc ? NaN : rocArea / (pos * neg),
    aucPr: reasons.aucPr ? NaN : ap / pos,
    reasons,
  };
}
