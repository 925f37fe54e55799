/**
 * The `tsfx` command tree. Each module registers its commands; `buildProgram(argv)` imports
 * only the module of the command being run (a command's module pulls in what it needs: the
 * Temporal worker, the components, tfjs), so `tsfx runs` or `tsfx cancel` do not pay for
 * loading `tsfx run`'s. Help, or a name no module claims, loads them all.
 */
import { Command } from 'commander';

type Register = (program: Command) => void;

/** command names -> the module registering them */
const modules: { names: string[]; load: () => Promise<Register> }[] = [
  { names: ['run'], load: async () => (await import('./run.js')).registerRun },
  { names: ['runs', 'artifacts', 'artifact', 'lineage'], load: async () => (await import('./inspect.js')).registerInspect },
  { names: ['show'], load: async () => (await import('./show.js')).registerShow },
  { names: ['worker', 'cancel', 'server'], load: async () => (await import('./operate.js')).registerOperate },
  { names: ['resume'], load: async () => (await import('./resume.js')).registerResume },
  { names: ['serve', 'promote', 'rollback'], load: async () => (await import('./serve.js')).registerServe },
  { names: ['models', 'push'], load: async () => (await import('./models.js')).registerModels },
  { names: ['gc'], load: async () => (await import('./gc.js')).registerGc },
];

/** Every command name, in the order `tsfx --help` lists them; docker-compose's commands are checked against it. */
export const cliCommandNames: string[] = modules.flatMap((m) => m.names);

export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('tsfx')
    .description('TFX-style ML pipelines in TypeScript, run by Temporal')
    .showHelpAfterError();
  const name = argv[2];
  const only = modules.find((m) => name !== undefined && m.names.includes(name));
  for (const m of only ? [only] : modules) (await m.load())(program);
  return program;
}
