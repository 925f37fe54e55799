/**
 * TFMD Schema for tsfx: inference from statistics (TFDV's infer_schema / update_schema),
 * the binary wire form and the text format TFDV and TFX read and write.
 *
 * @example
 *   const schema = inferFromSplits([trainStats.datasets[0], evalStats.datasets[0]]);
 *   await fs.writeFile('schema.pbtxt', schemaToText(schema));
 */
export { DEFAULT_MAX_STRING_DOMAIN_SIZE, inferFromSplits, inferSchema, updateSchema, type InferOptions } from './infer.js';
export * from './proto.js';
export { featureStatsView, type FeatureStatsView } from './stats-view.js';
export { parseSchemaText, parseTextFormat, pythonDouble, pythonFloat32, schemaToText, toTextFormat } from './text-format.js';
