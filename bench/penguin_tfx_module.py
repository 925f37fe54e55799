"""Transform and Trainer module for bench/penguin_tfx.py: the preprocessing and the model of
pipelines/penguin.ts and pipelines/penguin-model.ts, written for TFX 1.16 (TFT + tf_keras).

Preprocessing: each measurement's missing values take the feature's mean, then a z-score;
island and sex (missing sex = 'unknown') through vocabularies, one-hot encoded; the species
through a vocabulary as the class id. TFT cannot give tf.one_hot a static depth from an analyzer,
so the ids leave Transform and the model's first layer one-hot encodes them with the vocabulary
sizes Transform wrote (TFX's taxi example does the same).
Model: Dense(16, relu) -> Dense(16, relu) -> Dense(3, softmax), Adam(0.01), sparse categorical
cross-entropy; 30 epochs, batch 16, early stopping on val_loss (patience 5, best weights restored).
The hyperparameters come from the Trainer's custom_config so the pipeline script sets them once.
"""

import os

import absl.logging

os.environ.setdefault('TF_USE_LEGACY_KERAS', '1')  # TFT 1.16's transform layer is a Keras 2 layer

import tensorflow as tf  # noqa: E402
import tensorflow_transform as tft  # noqa: E402
import tf_keras as keras  # noqa: E402
from tfx_bsl.tfxio import dataset_options  # noqa: E402

MEASUREMENTS = ['beak_length_mm', 'beak_depth_mm', 'flipper_length_mm', 'body_mass_g']
CATEGORIES = ['island', 'sex']
LABEL = 'species'


def xf(name):
    return name + '_xf'


def _dense(x, default):
    """A [batch, 1] dense tensor from a raw feature; absent values become `default`."""
    if isinstance(x, tf.sparse.SparseTensor):
        # a feature missing in some rows is a VarLen feature: give every row one slot
        x = tf.sparse.SparseTensor(x.indices, x.values, [x.dense_shape[0], 1])
        return tf.sparse.to_dense(x, default_value=default)
    return x


def preprocessing_fn(inputs):
    out = {}
    for key in MEASUREMENTS:
        # CsvExampleGen types whole-number columns as int64; the z-score wants floats
        raw = inputs[key]
        raw = tf.sparse.map_values(tf.cast, raw, tf.float32) if isinstance(raw, tf.sparse.SparseTensor) else tf.cast(raw, tf.float32)
        filled = _dense(raw, tft.mean(raw))
        out[xf(key)] = tft.scale_to_z_score(filled)
    out[xf('island')] = tft.compute_and_apply_vocabulary(_dense(inputs['island'], ''), vocab_filename='island')
    out[xf('sex')] = tft.compute_and_apply_vocabulary(_dense(inputs['sex'], 'unknown'), vocab_filename='sex')
    out[xf(LABEL)] = tft.compute_and_apply_vocabulary(_dense(inputs[LABEL], ''), vocab_filename=LABEL)
    return out


def _dataset(files, accessor, tf_output, batch, shuffle, seed):
    options = dataset_options.TensorFlowDatasetOptions(
        batch_size=batch, label_key=xf(LABEL), num_epochs=1, shuffle=shuffle,
        shuffle_buffer_size=10_000, shuffle_seed=seed)
    return accessor.tf_dataset_factory(files, options, tf_output.transformed_metadata.schema)


def _model(tf_output, hidden, lr):
    inputs = {xf(k): keras.layers.Input(shape=(1,), name=xf(k)) for k in MEASUREMENTS}
    parts = list(inputs.values())
    for cat in CATEGORIES:
        ids = keras.layers.Input(shape=(1,), name=xf(cat), dtype=tf.int64)
        inputs[xf(cat)] = ids
        size = tf_output.vocabulary_size_by_name(cat)
        parts.append(keras.layers.CategoryEncoding(num_tokens=size, output_mode='one_hot')(ids))
    d = keras.layers.concatenate(parts)
    d = keras.layers.Dense(hidden, activation='relu')(d)
    d = keras.layers.Dense(hidden, activation='relu')(d)
    classes = tf_output.vocabulary_size_by_name(LABEL)
    out = keras.layers.Dense(classes, activation='softmax')(d)
    model = keras.Model(inputs=inputs, outputs=out)
    model.compile(optimizer=keras.optimizers.Adam(lr), loss='sparse_categorical_crossentropy',
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    return model


def _signatures(model, tf_output):
    """serving_default: serialized raw tf.Examples -> probabilities; transform_features for TFMA's label."""
    model.tft_layer = tf_output.transform_features_layer()

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name='examples')])
    def serve(serialized):
        spec = tf_output.raw_feature_spec()
        spec.pop(LABEL)
        features = model.tft_layer(tf.io.parse_example(serialized, spec))
        return {'outputs': model(features)}

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name='examples')])
    def transform_features(serialized):
        features = tf.io.parse_example(serialized, tf_output.raw_feature_spec())
        return model.tft_layer(features)

    return {'serving_default': serve, 'transform_features': transform_features}


def run_fn(fn_args):
    cfg = fn_args.custom_config or {}
    tf_output = tft.TFTransformOutput(fn_args.transform_output)
    seed = int(cfg.get('seed', 42))
    tf.random.set_seed(seed)
    batch = int(cfg.get('batch_size', 16))
    train = _dataset(fn_args.train_files, fn_args.data_accessor, tf_output, batch, True, seed)
    val = _dataset(fn_args.eval_files, fn_args.data_accessor, tf_output, batch, False, seed)
    model = _model(tf_output, int(cfg.get('hidden', 16)), float(cfg.get('learning_rate', 0.01)))
    stop = keras.callbacks.EarlyStopping(monitor='val_loss', patience=int(cfg.get('patience', 5)), restore_best_weights=True)
    history = model.fit(train, epochs=int(cfg.get('epochs', 30)), validation_data=val, callbacks=[stop], verbose=0)
    absl.logging.info('penguin: trained %d epochs, best val_loss %.4f', len(history.epoch), min(history.history['val_loss']))
    model.save(fn_args.serving_model_dir, save_format='tf', signatures=_signatures(model, tf_output))
