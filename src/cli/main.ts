/** `tsfx` entry: parse, run, and turn our errors into one clear line and an exit code. */
import { TsfxError } from '../errors.js';
import { buildProgram } from './commands.js';

try {
  await (await buildProgram(process.argv)).parseAsync(process.argv);
} catch (err) {
  if (err instanceof TsfxError) {
    process.stderr.write(`tsfx: ${err.name}: ${err.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`tsfx: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    // Temporal's client errors keep the server's reason in `cause` (gRPC details): say it
    for (let c = (err as { cause?: unknown }).cause, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
      const e = c as { message?: string; details?: string };
      process.stderr.write(`  caused by: ${e.details || e.message || String(c)}\n`);
    }
    process.exitCode = 1;
  }
}
// Every command has finished its work here (a worker only returns once stopped). Exit rather
// than wait for native handles (Temporal's runtime, sockets) that may keep the loop alive;
// stdout and stderr are synchronous on Linux, so nothing printed is lost.
process.exit();
