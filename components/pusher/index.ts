/**
 * Pusher: puts a blessed Model behind `tsfx serve` as a new integer version of a served model,
 * written atomically (staged, then renamed), with the InfraValidator's warm-up requests and a
 * provenance.json naming the run, Model, ModelBlessing and ModelEvaluation it came from. A
 * model that is not blessed (or not infra-blessed, when wired) is not pushed: the PushedModel
 * says `pushed: false` with the reason, unless the pipeline forces it with a recorded reason.
 *
 * @example
 * p.add(Pusher({ model: trainer.outputs.model, blessing: evaluator.outputs.blessing, servingModel: 'penguin' }));
 */
import { defineComponent, type ComponentImpl } from '../../src/dsl/component.js';
import { pusherExecutor } from './executor.js';
import { PusherParams, pusherSpec, type PushedModelProperties } from './spec.js';

/**
 * The Pusher node: pushes `model` as a new version of `servingModel` when `blessing` (and
 * `infraBlessing`, when wired) bless it; `force: { reason }` pushes anyway, recorded.
 * @example p.add(Pusher({ model: trainer.outputs.model, blessing: evaluator.outputs.blessing, servingModel: 'penguin' }));
 */
export const Pusher = defineComponent(pusherSpec);

export const pusherComponent = {
  spec: pusherSpec,
  executor: pusherExecutor,
} satisfies ComponentImpl<typeof pusherSpec> as ComponentImpl;

export { PusherParams, pusherSpec, pusherExecutor, type PushedModelProperties };
