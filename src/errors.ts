/**
 * One error family. The activity adapter maps these onto Temporal failures:
 * DefinitionError and DataError are not retryable (retrying can't fix the input),
 * everything else (I/O, a lost worker) is.
 */
export class TsfxError extends Error {
  override name = 'TsfxError';
  /** whether retrying the same activity could succeed */
  readonly retryable: boolean = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A bad pipeline definition or params: carries the path of the offending field. */
export class DefinitionError extends TsfxError {
  override name = 'DefinitionError';
  override readonly retryable = false;
  constructor(
    message: string,
    readonly path: (string | number)[] = [],
  ) {
    super(path.length ? `${path.join('.')}: ${message}` : message);
  }
}

/** Input data that can't be read as claimed: names the file and where in it. */
export class DataError extends TsfxError {
  override name = 'DataError';
  override readonly retryable = false;
  constructor(
    message: string,
    readonly file?: string,
    readonly location?: string,
  ) {
    super([file, location].filter(Boolean).join(' ') + (file || location ? ': ' : '') + message);
  }
}

/** An exception thrown by user code (a model module, a preprocessing function). */
export class UserCodeError extends TsfxError {
  override name = 'UserCodeError';
  override readonly retryable = false;
  constructor(message: string, cause: unknown) {
    super(`${message}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Something the metadata store refused (unknown id, a broken invariant). */
export class MetadataError extends TsfxError {
  override name = 'MetadataError';
}

/**
 * A worker was handed work of a run that another metadata store owns (two TSFX_HOMEs or
 * metadata URLs sharing task queues). Never retried: any worker of this store would refuse too.
 */
export class StoreMismatchError extends TsfxError {
  override name = 'StoreMismatchError';
  override readonly retryable = false;
  constructor(runStore: string, workerStore: string) {
    super(
      `this run belongs to metadata store ${runStore}, but this worker serves store ${workerStore}: ` +
        'two stores share task queues (the same TSFX_QUEUE_PREFIX); unset TSFX_QUEUE_PREFIX, or give each store its own',
    );
  }
}

/** `tsfx server stop` was asked to stop a dev server another TSFX_HOME started. */
export class DevServerNotOursError extends TsfxError {
  override name = 'DevServerNotOursError';
  override readonly retryable = false;
}

/** The metadata database stayed unreachable for the whole retry window (src/metadata/retry.ts). Retryable: it may come back. */
export class MetadataUnavailableError extends TsfxError {
  override name = 'MetadataUnavailableError';
}

/** Every trial of a Tuner failed (its message lists each trial's error): no best hyperparameters to give. */
export class TrialsFailedError extends TsfxError {
  override name = 'TrialsFailedError';
  override readonly retryable = false;
}
