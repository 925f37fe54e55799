/**
 * The file side of `tsfx gc`: which folders under the artifact root may go, how big they are,
 * and removing them. Nothing outside the artifact root is ever removed: an ExternalArtifact's
 * URI is the user's own file (a checked-in schema), recorded, never owned.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { localPath } from './local-store.js';

export interface Removable {
  path: string;
  bytes: number;
}

export interface FileSweep {
  /** folders (or files) under the artifact root to remove, with their sizes */
  remove: Removable[];
  /** collected artifacts' locations left in place: outside the root, or not local */
  outside: string[];
}

/** Whether `p` lies strictly inside `root`, also after resolving symlinks on the way to it. */
export async function insideRoot(root: string, p: string): Promise<boolean> {
  const within = (r: string, q: string) => {
    const rel = path.relative(r, q);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  if (!within(path.resolve(root), path.resolve(p))) return false;
  // a linked folder on the way could lead outside; the last component itself is removed as a link
  const realRoot = await fs.realpath(root).catch(() => undefined);
  const realParent = await fs.realpath(path.dirname(path.resolve(p))).catch(() => undefined);
  if (realRoot === undefined || realParent === undefined) return false;
  return within(realRoot, path.join(realParent, path.basename(p)));
}

/** Bytes under `p` without following links; 0 when it is gone. */
export async function diskSize(p: string): Promise<number> {
  const st = await fs.lstat(p).catch(() => undefined);
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  const entries = await fs.readdir(p).catch(() => [] as string[]);
  let total = 0;
  for (const e of entries) total += await diskSize(path.join(p, e));
  return total;
}

const exists = async (p: string) => (await fs.lstat(p).catch(() => undefined)) !== undefined;
const subdirs = async (p: string) =>
  (await fs.readdir(p, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => d.name);

/**
 * What to remove for the collected artifacts and deleted executions: each artifact's location
 * (`<output>/<artifactId>/`, or `<executionId>/<output>/` in older stores; a failed execution's
 * reserved PENDING artifacts included, whose folders a killed commit may have half filled), and
 * what a deleted execution left under `<root>/<pipeline>/<node>/`: `<id>/` (older stores),
 * `_shards/<id>/`, `.staging/<id>-*` (attempts' leftovers) and its claim `.commits/<id>.json`.
 * `keep` are the URIs of artifacts that stay: a location that is, holds or lies in one of them is
 * never removed.
 */
export async function planSweep(
  root: string,
  collected: { uris: string[]; executions: { id: number; pipeline: string; nodeId: string }[] },
  keep: string[],
): Promise<FileSweep> {
  const candidates = new Set<string>();
  const outside: string[] = [];
  for (const uri of collected.uris) {
    let p: string;
    try {
      p = path.resolve(localPath(uri));
    } catch {
      outside.push(uri);
      continue;
    }
    if (await insideRoot(root, p)) candidates.add(p);
    else outside.push(uri);
  }
  for (const x of collected.executions) {
    const nodeDir = path.join(root, x.pipeline, x.nodeId);
    const own = [
      path.join(nodeDir, String(x.id)),
      path.join(nodeDir, '_shards', String(x.id)),
      path.join(nodeDir, '_work', String(x.id)),
      path.join(nodeDir, '.commits', `${x.id}.json`),
      ...(await stagingOf(nodeDir, x.id)),
    ];
    for (const p of own) if ((await exists(p)) && (await insideRoot(root, p))) candidates.add(p);
  }
  const kept = keep.flatMap((uri) => {
    try {
      return [path.resolve(localPath(uri))];
    } catch {
      return [];
    }
  });
  const overlaps = (a: string, b: string) => a === b || a.startsWith(b + path.sep) || b.startsWith(a + path.sep);
  const remove: Removable[] = [];
  for (const p of [...candidates].sort()) {
    if (kept.some((k) => overlaps(p, k))) continue;
    if (!(await exists(p))) continue;
    remove.push({ path: p, bytes: await diskSize(p) });
  }
  return { remove, outside };
}

/** `<nodeDir>/.staging/<executionId>-<token>` folders: attempts of that execution that never moved in. */
async function stagingOf(nodeDir: string, executionId: number): Promise<string[]> {
  const staging = path.join(nodeDir, '.staging');
  return (await subdirs(staging)).filter((d) => d.startsWith(`${executionId}-`)).map((d) => path.join(staging, d));
}

/**
 * Leftovers of executions that are not open: `<root>/<pipeline>/<node>/_shards/<executionId>`
 * and `_work/<executionId>` (the publisher removes a published execution's own) and attempts' staging folders
 * (`.staging/<executionId>-*`, `_shards/<id>/.staging/*`: an attempt killed before it moved in).
 */
export async function leftoverShards(
  root: string,
  pipelines: string[] | undefined,
  isOpen: (executionId: number) => Promise<boolean>,
): Promise<Removable[]> {
  const out: Removable[] = [];
  const add = async (p: string) => {
    if (await insideRoot(root, p)) out.push({ path: p, bytes: await diskSize(p) });
  };
  for (const pipeline of pipelines ?? (await subdirs(root))) {
    for (const node of await subdirs(path.join(root, pipeline))) {
      for (const kind of ['_shards', '_work']) {
        const parent = path.join(root, pipeline, node, kind);
        for (const id of await subdirs(parent)) {
          const p = path.join(parent, id);
          if (/^\d+$/.test(id) && (await isOpen(Number(id)))) continue;
          await add(p);
        }
      }
      const staging = path.join(root, pipeline, node, '.staging');
      for (const name of await subdirs(staging)) {
        const id = /^(\d+)-/.exec(name)?.[1];
        if (id !== undefined && (await isOpen(Number(id)))) continue;
        await add(path.join(staging, name));
      }
    }
  }
  return out;
}

/** Remove each path that is still inside the root; returns the bytes freed. */
export async function removeSwept(root: string, items: Removable[]): Promise<number> {
  let freed = 0;
  for (const item of items) {
    if (!(await insideRoot(root, item.path))) continue;
    await fs.rm(item.path, { recursive: true, force: true });
    freed += item.bytes;
  }
  return freed;
}
