/** The `tsfx` command tree. `cliCommandNames` lets tests check what docker-compose runs. */
import { Command } from 'commander';
import { registerGc } from './gc.js';
import { registerInspect } from './inspect.js';
import { registerOperate } from './operate.js';
import { registerResume } from './resume.js';
import { registerRun } from './run.js';
import { registerServe } from './serve.js';
import { registerShow } from './show.js';

export function buildProgram(): Command {
  const program = new Command('tsfx')
    .description('TFX-style ML pipelines in TypeScript, run by Temporal')
    .showHelpAfterError();
  registerRun(program);
  registerInspect(program);
  registerShow(program);
  registerOperate(program);
  registerResume(program);
  registerServe(program);
  registerGc(program);
  return program;
}

export const cliCommandNames: string[] = buildProgram().commands.map((c) => c.name());
