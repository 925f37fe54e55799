/**
 * InfraValidator: the candidate Model served by tsfx's own REST server in a sandboxed child
 * process (memory cap, load-time limit) and queried through the real `:predict` handler with
 * requests built from raw eval rows; INFRA_BLESSED only when it loads in time and every request
 * answers 200 with one prediction per row (TFX's InfraValidator, LOAD_AND_QUERY mode; without
 * `examples`, LOAD_ONLY).
 *
 * @example
 * const infra = p.add(InfraValidator({ model: trainer.outputs.model, examples: gen.outputs.examples, numRequests: 5 }));
 * p.add(Pusher({ model: trainer.outputs.model, blessing: ev.outputs.blessing, infraBlessing: infra.outputs.blessing }));
 */
import { defineComponent, type ComponentImpl } from '../../src/dsl/component.js';
import { infraValidatorExecutor } from './executor.js';
import {
  INFRA_BLESSED,
  INFRA_NOT_BLESSED,
  InfraValidatorParams,
  infraValidatorSpec,
  REPORT_FILE,
  WARMUP_FILE,
  type InfraBlessingProperties,
} from './spec.js';

export const InfraValidator = defineComponent(infraValidatorSpec);

export const infraValidatorComponent = {
  spec: infraValidatorSpec,
  executor: infraValidatorExecutor,
} satisfies ComponentImpl<typeof infraValidatorSpec> as ComponentImpl;

export {
  INFRA_BLESSED,
  INFRA_NOT_BLESSED,
  InfraValidatorParams,
  infraValidatorExecutor,
  infraValidatorSpec,
  REPORT_FILE as INFRA_REPORT_FILE,
  WARMUP_FILE,
  type InfraBlessingProperties,
};
