/**
 * The InfraValidator's serving process (started by sandbox.ts, never imported): it places the
 * candidate Model folder as version 1 of a fresh model base, starts the real REST server of
 * src/serving on 127.0.0.1 with an OS-chosen port, tells the parent the URL over IPC, and only
 * then loads the model, so the parent sees the load through the server's own status endpoint.
 * It exits when the parent goes away (the IPC channel closes): it never outlives the validator.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

interface ChildConfig {
  modelDir: string;
  base: string;
  name: string;
}

const send = (msg: unknown) => process.send?.(msg);

async function main(): Promise<void> {
  if (!process.send)
    throw new Error('sandbox-child.ts runs only as the InfraValidator sandbox (it needs an IPC channel)');
  // the parent gone (killed, crashed) closes the channel: stop at once, whatever is in flight
  process.on('disconnect', () => process.exit(0));
  // gone before the listener was there: 'disconnect' will not come again
  if (!process.connected) process.exit(0);
  const config = JSON.parse(process.argv[2] ?? '') as ChildConfig;
  const versionDir = path.join(config.base, config.name, '1');
  await fs.mkdir(path.dirname(versionDir), { recursive: true });
  await fs.cp(config.modelDir, versionDir, { recursive: true });

  // the backend `tsfx serve` uses, chosen the same way
  const { ensureBackend } = await import('../../src/ml/backend.js');
  const { ModelRepository } = await import('../../src/serving/model-repository.js');
  const { startServer } = await import('../../src/serving/server.js');
  const backend = await ensureBackend();
  // one version that never changes: polling again would only re-read its files
  const repository = new ModelRepository(config.base, {
    pollMs: 3_600_000,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  const server = await startServer({ repository, port: 0, host: '127.0.0.1' });
  send({ type: 'listening', url: server.url, backend: backend.name });
  await repository.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`infra-validator sandbox: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
