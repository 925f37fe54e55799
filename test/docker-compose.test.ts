/**
 * No Docker engine runs here, so docker-compose.yml and the Dockerfile are checked as data:
 * services wired to each other by name, ports published, and every tsfx container running a
 * command the CLI really has.
 */
import fs from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildProgram, cliCommandNames } from '../src/cli/commands.js';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string> | string[];
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, unknown> | string[];
  profiles?: string[];
}

// merge: the tsfx services share one `<<: *tsfx` block, as Compose resolves it
const compose = parse(fs.readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;

/** Compose's `${VAR:-default}` with no variables set, as on a fresh `docker compose up`. */
const interpolate = (s: string) =>
  s.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_m, _name, def: string | undefined) => def ?? '');

function env(name: string): Record<string, string> {
  const raw = services[name]?.environment ?? {};
  const pairs = Array.isArray(raw) ? raw.map((kv) => kv.split(/=(.*)/s).slice(0, 2)) : Object.entries(raw);
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(String(v ?? ''))]));
}

const dependsOn = (s: Service) => (Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {}));
const argv = (s: Service) => (Array.isArray(s.command) ? s.command : (s.command ?? '').split(/\s+/).filter(Boolean));
/** host ports published as "host:container" (optionally with a bind address) */
const published = (s: Service) => (s.ports ?? []).map((p) => String(p).split(':').slice(-2).join(':'));

// the services built from this repo's Dockerfile, whose entrypoint is `node bin/tsfx.js`
const tsfxServices = Object.keys(services).filter((n) => services[n]!.build !== undefined);

describe('docker-compose.yml', () => {
  it('has the whole stack, each service with an image or a build', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'tsfx-worker']),
    );
    for (const [name, s] of Object.entries(services)) {
      expect(s.image || s.build, `service ${name} has neither image nor build`).toBeTruthy();
    }
    expect(tsfxServices).toEqual(expect.arrayContaining(['tsfx-worker', 'tsfx-worker-gpu', 'tsfx-serve']));
  });

  it('points Temporal and its UI at the right services', () => {
    expect(services.temporal!.image).toMatch(/^temporalio\/(auto-setup|server):/);
    const t = env('temporal');
    expect(services[t.POSTGRES_SEEDS!]).toBeDefined();
    expect(t.POSTGRES_SEEDS).toBe('postgresql');
    const pg = env('postgresql');
    expect([t.POSTGRES_USER, t.POSTGRES_PWD]).toEqual([pg.POSTGRES_USER, pg.POSTGRES_PASSWORD]);
    expect(dependsOn(services.temporal!)).toContain('postgresql');
    expect(env('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('gives every tsfx service the cluster, the metadata database and the shared artifact volume', () => {
    const pg = env('postgresql');
    const roots = new Set<string>();
    for (const name of tsfxServices) {
      const s = services[name]!;
      const e = env(name);
      expect(e.TEMPORAL_ADDRESS, name).toBe('temporal:7233');
      const url = new URL(e.TSFX_METADATA_URL!);
      expect(url.protocol, name).toBe('postgres:');
      expect(services[url.hostname], `${name}: metadata host ${url.hostname} is not a service`).toBeDefined();
      expect(url.hostname).toBe('postgresql');
      expect(url.port).toBe('5432');
      expect([url.username, url.password, url.pathname.slice(1)]).toEqual([
        pg.POSTGRES_USER,
        pg.POSTGRES_PASSWORD,
        pg.POSTGRES_DB,
      ]);
      expect(dependsOn(s)).toEqual(expect.arrayContaining(['temporal', 'postgresql']));
      // the artifact root sits inside a named volume every tsfx container mounts
      const root = e.TSFX_ARTIFACT_ROOT!;
      const mount = (s.volumes ?? []).map((v) => v.split(':')).find(([, target]) => root.startsWith(`${target}/`));
      expect(mount, `${name}: ${root} is not on a mounted volume`).toBeDefined();
      expect(compose.volumes ?? {}).toHaveProperty(mount![0]!);
      roots.add(`${mount![0]}:${root}`);
    }
    expect(roots.size).toBe(1);
  });

  it('publishes Temporal and the UI', () => {
    expect(published(services.temporal!)).toContain('7233:7233');
    expect(published(services['temporal-ui']!)).toContain('8080:8080');
  });

  it('serves models on 8501 with `tsfx serve`', () => {
    const serve = services['tsfx-serve']!;
    expect(serve.build).toBeDefined();
    expect(published(serve)).toContain('8501:8501');
    const args = argv(serve);
    expect(args[0]).toBe('serve');
    expect(args[args.indexOf('--port') + 1]).toBe('8501');
    expect(args[args.indexOf('--grpc-port') + 1]).toBe('8500');
    expect(published(serve)).toContain('8500:8500');
    expect(args[args.indexOf('--host') + 1]).toBe('0.0.0.0');
  });

  it('runs only commands and options the tsfx CLI has', async () => {
    const program = await buildProgram();
    // the lazy command table names exactly what the modules register
    expect(program.commands.map((c) => c.name()).sort()).toEqual([...cliCommandNames].sort());
    for (const name of tsfxServices) {
      const [command, ...args] = argv(services[name]!);
      expect(cliCommandNames, `${name} runs '${command}'`).toContain(command);
      const cmd = program.commands.find((c) => c.name() === command)!;
      const known = cmd.options.map((o) => o.long);
      for (const flag of args.filter((a) => a.startsWith('--'))) {
        expect(known, `${name}: '${command}' has no option ${flag}`).toContain(flag);
      }
    }
    expect(argv(services['tsfx-worker']!)).toEqual(['worker', '--queues', 'cpu']);
  });
});

describe('Dockerfile', () => {
  const dockerfile = fs.readFileSync('Dockerfile', 'utf8');

  it('builds on Node 20 with production dependencies and runs the tsfx CLI', () => {
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim\b/m);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "bin\/tsfx\.js"\]$/m);
    // the entrypoint exists and the lockfile npm ci needs is in the build context
    expect(fs.existsSync('bin/tsfx.js')).toBe(true);
    const ignored = fs
      .readFileSync('.dockerignore', 'utf8')
      .split('\n')
      .map((l) => l.trim());
    expect(ignored).not.toContain('package-lock.json');
    expect(ignored).toContain('node_modules');
  });

  it('installs what the example pipelines read: their npm data packages are production dependencies', () => {
    // `docker compose run tsfx run pipelines/penguin.ts` reads node_modules in an image built --omit=dev
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
    const used = fs
      .readdirSync('pipelines')
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...fs.readFileSync(`pipelines/${f}`, 'utf8').matchAll(/node_modules\/((?:@[^/]+\/)?[^/'"]+)/g)].map((m) => m[1]!));
    expect(used).toContain('vega-datasets');
    for (const name of new Set(used)) expect(pkg.dependencies, name).toHaveProperty(name);
  });
});
