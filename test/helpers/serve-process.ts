/**
 * `tsfx serve` as a user starts it, in a child process on free ports (REST and gRPC), resolved
 * once it says where it listens.
 */
import { spawn } from 'node:child_process';

export interface ServeProcess {
  /** the REST base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  stop(): void;
}

export async function startServeProcess(env: NodeJS.ProcessEnv, ...args: string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['bin/tsfx.js', 'serve', '--port', '0', '--grpc-port', '0', ...args], {
    env,
    // stderr ignored: an unread pipe would fill and block the server
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`tsfx serve exited ${code}: ${out}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}
