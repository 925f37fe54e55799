"""TFX's side of bench/penguin-vs-tfx.ts: the penguin pipeline of pipelines/penguin.ts on TFX's
LocalDagRunner, on the same data (vega-datasets' penguins.json, written here as CSV for
CsvExampleGen) and the same preprocessing and model (bench/penguin_tfx_module.py).

CsvExampleGen (default 2:1 hash split into train/eval), StatisticsGen, SchemaGen, ExampleValidator,
Transform, Trainer, the latest-blessed-model Resolver, Evaluator (SparseCategoricalAccuracy >= a
value threshold, and not worse than the baseline, as TFX's penguin example), and a Pusher to a
filesystem base guarded by the blessing. InfraValidator is left out: TFX's needs a TF Serving binary
or Docker, neither of which this machine has.

Beam runs with TFX's defaults (DirectRunner, in-memory). Prints TFX's own logs to stderr and, as the
last stdout line, JSON: wall seconds for imports and for LocalDagRunner.run, and per node the
seconds between its MLMD execution's creation and last update.

  python bench/penguin_tfx.py PENGUINS_JSON WORK_DIR [--accuracy 0.6]
"""

import argparse
import csv
import json
import os
import sys
import time

t_start = time.perf_counter()
os.environ.setdefault('TF_USE_LEGACY_KERAS', '1')
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import tensorflow_model_analysis as tfma  # noqa: E402
from ml_metadata.metadata_store import metadata_store  # noqa: E402
from tfx import v1 as tfx  # noqa: E402
from tfx.dsl.experimental.conditionals import conditional  # noqa: E402

t_imported = time.perf_counter()
MODULE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'penguin_tfx_module.py')
# penguins.json's columns -> names TFT and Keras accept as tensor names
COLUMNS = {
    'Species': 'species', 'Island': 'island', 'Beak Length (mm)': 'beak_length_mm', 'Beak Depth (mm)': 'beak_depth_mm',
    'Flipper Length (mm)': 'flipper_length_mm', 'Body Mass (g)': 'body_mass_g', 'Sex': 'sex',
}


def write_csv(json_path, folder):
    with open(json_path) as f:
        rows = json.load(f)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, 'penguins.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(COLUMNS.values())
        for r in rows:
            missing = [c for c in COLUMNS if c not in r]
            if missing:
                raise ValueError(f'{json_path}: a row lacks {missing}')
            # None -> empty cell: CsvExampleGen leaves the feature out of that tf.Example
            w.writerow(['' if r[c] is None else r[c] for c in COLUMNS])
    return len(rows)


def build(root, data, serving, accuracy, train_cfg):
    gen = tfx.components.CsvExampleGen(input_base=data)
    stats = tfx.components.StatisticsGen(examples=gen.outputs['examples'])
    schema = tfx.components.SchemaGen(statistics=stats.outputs['statistics'], infer_feature_shape=True)
    validator = tfx.components.ExampleValidator(statistics=stats.outputs['statistics'], schema=schema.outputs['schema'])
    transform = tfx.components.Transform(examples=gen.outputs['examples'], schema=schema.outputs['schema'], module_file=MODULE)
    trainer = tfx.components.Trainer(
        module_file=MODULE, examples=transform.outputs['transformed_examples'], transform_graph=transform.outputs['transform_graph'],
        schema=schema.outputs['schema'], train_args=tfx.proto.TrainArgs(), eval_args=tfx.proto.EvalArgs(), custom_config=train_cfg)
    baseline = tfx.dsl.Resolver(
        strategy_class=tfx.dsl.experimental.LatestBlessedModelStrategy,
        model=tfx.dsl.Channel(type=tfx.types.standard_artifacts.Model),
        model_blessing=tfx.dsl.Channel(type=tfx.types.standard_artifacts.ModelBlessing)).with_id('latest_blessed_model_resolver')
    eval_config = tfma.EvalConfig(
        model_specs=[tfma.ModelSpec(signature_name='serving_default', label_key='species_xf', preprocessing_function_names=['transform_features'])],
        slicing_specs=[tfma.SlicingSpec()],
        metrics_specs=[tfma.MetricsSpec(metrics=[tfma.MetricConfig(
            class_name='SparseCategoricalAccuracy',
            threshold=tfma.MetricThreshold(
                value_threshold=tfma.GenericValueThreshold(lower_bound={'value': accuracy}),
                change_threshold=tfma.GenericChangeThreshold(direction=tfma.MetricDirection.HIGHER_IS_BETTER, absolute={'value': -1e-10})))])])
    evaluator = tfx.components.Evaluator(
        examples=gen.outputs['examples'], model=trainer.outputs['model'], baseline_model=baseline.outputs['model'], eval_config=eval_config)
    with conditional.Cond(evaluator.outputs['blessing'].future()[0].custom_property('blessed') == 1):
        pusher = tfx.components.Pusher(
            model=trainer.outputs['model'],
            push_destination=tfx.proto.PushDestination(filesystem=tfx.proto.PushDestination.Filesystem(base_directory=serving)))
    return tfx.dsl.Pipeline(
        pipeline_name='penguin', pipeline_root=os.path.join(root, 'pipeline'),
        metadata_connection_config=tfx.orchestration.metadata.sqlite_metadata_connection_config(os.path.join(root, 'metadata.sqlite')),
        components=[gen, stats, schema, validator, transform, trainer, baseline, evaluator, pusher], enable_cache=False)


def node_times(db):
    """Seconds per node from MLMD: each execution's last update minus its creation."""
    cfg = tfx.orchestration.metadata.sqlite_metadata_connection_config(db)
    store = metadata_store.MetadataStore(cfg)
    out = []
    for e in sorted(store.get_executions(), key=lambda e: e.create_time_since_epoch):
        nodes = [c.name for c in store.get_contexts_by_execution(e.id) if store.get_context_types_by_id([c.type_id])[0].name == 'node']
        name = nodes[0].split('.', 1)[-1] if nodes else str(e.type_id)
        state = metadata_store.metadata_store_pb2.Execution.State.Name(e.last_known_state)
        out.append({'node': name, 'seconds': (e.last_update_time_since_epoch - e.create_time_since_epoch) / 1000, 'state': state})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('penguins_json')
    ap.add_argument('work')
    ap.add_argument('--accuracy', type=float, default=0.6)
    ap.add_argument('--epochs', type=int, default=30)
    ap.add_argument('--batch-size', type=int, default=16)
    ap.add_argument('--hidden', type=int, default=16)
    a = ap.parse_args()
    rows = write_csv(a.penguins_json, os.path.join(a.work, 'data'))
    cfg = {'epochs': a.epochs, 'batch_size': a.batch_size, 'hidden': a.hidden, 'learning_rate': 0.01, 'patience': 5, 'seed': 42}
    pipeline = build(a.work, os.path.join(a.work, 'data'), os.path.join(a.work, 'serving'), a.accuracy, cfg)
    t0 = time.perf_counter()
    tfx.orchestration.LocalDagRunner().run(pipeline)
    t1 = time.perf_counter()
    pushed = sorted(os.listdir(os.path.join(a.work, 'serving'))) if os.path.isdir(os.path.join(a.work, 'serving')) else []
    result = {
        'tfx': tfx.__version__, 'rows': rows, 'import_s': t_imported - t_start, 'run_s': t1 - t0, 'total_s': t1 - t_start,
        'nodes': node_times(os.path.join(a.work, 'metadata.sqlite')), 'pushed': pushed,
    }
    for n in result['nodes']:
        print(f"[penguin_tfx] {n['node']:<32} {n['seconds']:8.2f} s  {n['state']}", file=sys.stderr)
    print(f"[penguin_tfx] imports {result['import_s']:.2f} s, LocalDagRunner.run {result['run_s']:.2f} s, total {result['total_s']:.2f} s", file=sys.stderr)
    print(json.dumps(result))


if __name__ == '__main__':
    sys.exit(main())
