/**
 * What must hold after a run under faults, read from the metadata and the files:
 * - the run completed, with exactly one COMPLETE execution per node and one OUTPUT artifact per
 *   output of it (nothing published twice, nothing half-published);
 * - no execution of the finished run is left NEW or RUNNING;
 * - every published artifact's files are there, in the folder named by its id
 *   (`<pipeline>/<node>/<output>/<artifactId>`), and equal, byte for byte, to an undisturbed run's;
 * - every artifact of a store lies in that store's folder, and every artifact folder and claim in
 *   it belongs to an artifact or execution of that store (no store wrote into another's).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PipelineSpec } from '../../schemas/pipeline-spec.js';
import type { Home } from './cluster.js';

/** relative path -> sha256 of every file below an artifact folder */
export type Digests = Record<string, string>;
/** `<node>.<output>` -> its files' digests in an undisturbed run */
export type Reference = Record<string, Digests>;

/** `skip`: file names left out (by default a shard's attempt record, which names the attempt that won) */
export function digestFolder(dir: string, skip: string[] = ['.tsfx-attempt.json']): Digests {
  const out: Digests = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || skip.includes(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  return out;
}

/** The published outputs of a run, by `<node>.<output>`, with their folders. */
export async function publishedOutputs(home: Home, runId: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const x of await home.store.listExecutions({ runId })) {
    if (x.state !== 'COMPLETE') continue;
    for (const ev of await home.store.eventsOfExecution(x.id)) {
      if (ev.type !== 'OUTPUT') continue;
      const artifact = await home.store.getArtifact(ev.artifactId);
      if (artifact) out.set(`${x.nodeId}.${ev.name}`, artifact.uri);
    }
  }
  return out;
}

export async function runViolations(
  home: Home,
  spec: PipelineSpec,
  runId: string,
  status: string,
  reference: Reference,
): Promise<string[]> {
  const at = `${home.name} run ${runId}`;
  const v: string[] = [];
  if (status !== 'COMPLETED') v.push(`${at}: workflow ${status}, not COMPLETED`);
  const execs = await home.store.listExecutions({ runId });
  for (const x of execs) {
    if (x.state === 'NEW' || x.state === 'RUNNING') v.push(`${at}: execution ${x.id} (${x.nodeId}) still ${x.state}`);
  }
  for (const node of spec.nodes) {
    const complete = execs.filter((x) => x.nodeId === node.id && x.state === 'COMPLETE');
    if (complete.length !== 1) {
      v.push(`${at}: ${complete.length} COMPLETE executions of ${node.id}`);
      continue;
    }
    const x = complete[0]!;
    const outputs = (await home.store.eventsOfExecution(x.id)).filter((e) => e.type === 'OUTPUT');
    for (const name of Object.keys(node.outputs)) {
      const events = outputs.filter((e) => e.name === name);
      if (events.length !== 1) v.push(`${at}: ${node.id}.${name} has ${events.length} OUTPUT events`);
      const artifact = events[0] && (await home.store.getArtifact(events[0].artifactId));
      if (!artifact) continue;
      const want = path.join(home.config.storeRoot, x.pipeline, node.id, name, String(artifact.id));
      if (artifact.state !== 'LIVE') v.push(`${at}: ${node.id}.${name} (artifact ${artifact.id}) is ${artifact.state}`);
      if (artifact.uri !== want) v.push(`${at}: ${node.id}.${name} is at ${artifact.uri}, not in its id's folder ${want}`);
    }
  }
  for (const [key, uri] of await publishedOutputs(home, runId)) {
    if (!uri.startsWith(home.config.storeRoot + path.sep)) v.push(`${at}: ${key} at ${uri}, outside its store's folder`);
    if (!fs.existsSync(uri)) {
      v.push(`${at}: ${key}'s files are gone (${uri})`);
      continue;
    }
    const want = reference[key];
    const got = digestFolder(uri);
    if (!want) v.push(`${at}: ${key} has no reference`);
    else if (JSON.stringify(sorted(got)) !== JSON.stringify(sorted(want)))
      v.push(`${at}: ${key}'s files differ from the undisturbed run's (${uri})`);
  }
  return v;
}

/** Every folder directly under the artifact root is one of the homes' stores; no artifact folder or claim is foreign. */
export async function storeViolations(artifactRoot: string, homes: Home[]): Promise<string[]> {
  const v: string[] = [];
  const ids = new Set(homes.map((h) => h.store.storeId));
  for (const name of fs.existsSync(artifactRoot) ? fs.readdirSync(artifactRoot) : []) {
    if (!ids.has(name)) v.push(`${path.join(artifactRoot, name)} belongs to no store`);
  }
  for (const home of homes) {
    const root = home.config.storeRoot;
    const executions = new Set((await home.store.listExecutions()).map((x) => `${x.pipeline}/${x.nodeId}/${x.id}`));
    const artifacts = new Set((await home.store.listArtifacts({ state: 'any' })).map((a) => a.uri));
    const foreign = (p: string, what: string) => v.push(`${p}: no ${what} of store ${home.name} owns it`);
    for (const pipeline of subdirs(root)) {
      for (const node of subdirs(path.join(root, pipeline))) {
        const nodeDir = path.join(root, pipeline, node);
        for (const output of subdirs(nodeDir).filter((d) => /^[A-Za-z]/.test(d))) {
          for (const id of subdirs(path.join(nodeDir, output))) {
            if (!artifacts.has(path.join(nodeDir, output, id))) foreign(path.join(nodeDir, output, id), 'artifact');
          }
        }
        const claims = path.join(nodeDir, '.commits');
        for (const name of fs.existsSync(claims) ? fs.readdirSync(claims) : []) {
          if (!executions.has(`${pipeline}/${node}/${name.replace(/\.json$/, '')}`)) foreign(path.join(claims, name), 'execution');
        }
      }
    }
  }
  return v;
}

const subdirs = (p: string) =>
  fs.existsSync(p) ? fs.readdirSync(p, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : [];

const sorted = (d: Digests) => Object.fromEntries(Object.entries(d).sort(([a], [b]) => a.localeCompare(b)));
