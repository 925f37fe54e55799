/**
 * ExampleValidator's engine: TFDV's validate_statistics (schema checks, drift and skew) over
 * TFMD statistics and schema, giving TFMD Anomalies.
 *
 * @example
 *   const anomalies = validateStatistics(stats.datasets[0], schema, { previous: lastSpan.datasets[0] });
 *   await fs.writeFile('SchemaDiff.pb', encodeAnomalies(anomalies));
 */
export { divergence, jensenShannon, lInfinity, normalizedAbsDifference, sixDigits, type ComparatorOptions } from './drift.js';
export * from './proto.js';
export { percentage, validateStatistics, type ValidateOptions } from './validate.js';
