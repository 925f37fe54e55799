/**
 * A stand-in for a worker that dies mid-validation (test/components/infra-validator/): starts a
 * sandbox for the Model folder in argv[2], prints the sandbox's pid as JSON, then waits to be
 * killed. Run with `node --import tsx`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox } from '../../../components/infra-validator/sandbox.js';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-infra-orphan-'));
const sb = await startSandbox({
  modelDir: process.argv[2]!,
  base,
  name: 'm',
  memoryLimitMb: 2048,
  maxLoadingTimeMs: 120_000,
});
process.stdout.write(`${JSON.stringify({ pid: sb.pid, url: sb.url })}\n`);
setInterval(() => {}, 1000);
