/** Entry point the worker bundles: every workflow tsfx registers. */
export { pipelineRun, progressQuery } from './pipeline-run.js';
export { scheduledRun } from './scheduled-run.js';
