/**
 * Input file patterns, as TFX's ExampleGen resolves them: a glob relative to a root, with
 * optional `{SPAN}` and `{VERSION}` placeholders that match digits. Among the matching files
 * the greatest span wins, then within it the greatest version; every file of that span and
 * version is the input. Plus a fingerprint of the files for the cache key.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { DataError, DefinitionError } from '../errors.js';

export interface ResolvedInput {
  /** absolute paths, sorted */
  files: string[];
  span?: number;
  version?: number;
}

const PLACEHOLDER = /\{(SPAN|VERSION)\}/g;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * A regex for the glob dialect users write (`**`, `*`, `?`, `[...]`, `{a,b}`) in which each
 * placeholder captures its digits; a placeholder used twice must match the same digits.
 */
export function patternRegex(pattern: string): RegExp {
  let re = '';
  const seen = new Set<string>();
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const placeholder = /^\{(SPAN|VERSION)\}/.exec(pattern.slice(i));
    if (placeholder) {
      const name = placeholder[1]!.toLowerCase();
      re += seen.has(name) ? `\\k<${name}>` : `(?<${name}>\\d+)`;
      seen.add(name);
      i += placeholder[0].length - 1;
    } else if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        re += '[' + pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

function describe(pattern: string, root: string): string {
  return path.isAbsolute(pattern) ? `'${pattern}'` : `'${pattern}' under ${root}`;
}

/** Resolve `pattern` (relative to `root` unless absolute) to its files and span/version. */
export async function resolveInputPattern(root: string, pattern: string): Promise<ResolvedInput> {
  const norm = pattern.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  const hasSpan = norm.includes('{SPAN}');
  const hasVersion = norm.includes('{VERSION}');
  if (hasVersion && !hasSpan) throw new DefinitionError(`'${pattern}' has {VERSION} but no {SPAN}`, ['input']);
  const entries = await fg(norm.replace(PLACEHOLDER, '*'), { cwd: root, onlyFiles: true, dot: false, followSymbolicLinks: true });
  let chosen = entries;
  let span: number | undefined;
  let version: number | undefined;
  if (hasSpan) {
    const re = patternRegex(norm);
    const parsed = entries.flatMap((entry) => {
      const m = re.exec(entry);
      if (!m) return [];
      return [{ entry, span: Number(m.groups!.span), version: hasVersion ? Number(m.groups!.version) : 0 }];
    });
    span = Math.max(...parsed.map((p) => p.span));
    const ofSpan = parsed.filter((p) => p.span === span);
    if (hasVersion) version = Math.max(...ofSpan.map((p) => p.version));
    chosen = ofSpan.filter((p) => !hasVersion || p.version === version).map((p) => p.entry);
  }
  if (chosen.length === 0) {
    const what = hasSpan ? ` (with digits where ${hasVersion ? '{SPAN} and {VERSION} are' : '{SPAN} is'})` : '';
    throw new DataError(`no input files match ${describe(pattern, root)}${what}`);
  }
  const files = chosen.map((e) => path.resolve(root, e)).sort();
  return { files, ...(hasSpan ? { span } : {}), ...(hasVersion ? { version } : {}) };
}

/** sha256 over the files' sorted (path, size, mtime): changes whenever an input file does. */
export async function fingerprintFiles(files: string[]): Promise<string> {
  const sorted = [...new Set(files)].sort();
  const stats = await Promise.all(sorted.map((f) => fs.promises.stat(f)));
  const hash = createHash('sha256');
  sorted.forEach((f, i) => hash.update(`${f}\t${stats[i]!.size}\t${stats[i]!.mtimeMs}\n`));
  return hash.digest('hex');
}
