import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintFiles, patternRegex, resolveInputPattern } from '../../src/io/input-files.js';
import { DataError, DefinitionError } from '../../src/errors.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfx-inputs-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function touch(...rels: string[]): void {
  for (const rel of rels) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), rel);
  }
}
const abs = (...rels: string[]) => rels.map((r) => path.join(root, r));

touch(
  'flat/b.csv', 'flat/a.csv', 'flat/notes.txt', 'flat/.hidden.csv',
  'deep/x/1.json', 'deep/x/y/2.json',
  'spans/span-1/data.csv', 'spans/span-2/data.csv', 'spans/span-10/part-0.csv', 'spans/span-10/part-1.csv', 'spans/span-10/readme.md',
  'ver/span-3/v-1/a.csv', 'ver/span-3/v-2/a.csv', 'ver/span-3/v-2/b.csv', 'ver/span-4/v-1/a.csv', 'ver/span-4/v-1/b.csv', 'ver/span-4/v-0/a.csv',
  'twice/span-5/data-5.csv', 'twice/span-6/data-7.csv',
);

describe('input file patterns', () => {
  it('resolves a glob relative to the root, sorted and absolute, without hidden files', async () => {
    const r = await resolveInputPattern(root, 'flat/*.csv');
    expect(r).toEqual({ files: abs('flat/a.csv', 'flat/b.csv') });
    expect((await resolveInputPattern(root, './deep/**/*.json')).files).toEqual(abs('deep/x/1.json', 'deep/x/y/2.json'));
    expect((await resolveInputPattern(root, 'flat/{a,b}.csv')).files).toEqual(abs('flat/a.csv', 'flat/b.csv'));
    expect((await resolveInputPattern('/', path.join(root, 'flat/a.*'))).files).toEqual(abs('flat/a.csv'));
  });

  it('picks the greatest {SPAN} numerically and every file of it', async () => {
    const r = await resolveInputPattern(root, 'spans/span-{SPAN}/*.csv');
    expect(r).toEqual({ files: abs('spans/span-10/part-0.csv', 'spans/span-10/part-1.csv'), span: 10 });
  });

  it('picks the greatest {VERSION} within the greatest span', async () => {
    const r = await resolveInputPattern(root, 'ver/span-{SPAN}/v-{VERSION}/*.csv');
    // span 4 beats span 3 even though span 3 has a higher version
    expect(r).toEqual({ files: abs('ver/span-4/v-1/a.csv', 'ver/span-4/v-1/b.csv'), span: 4, version: 1 });
    // {VERSION} means nothing without {SPAN}: a definition error on the param
    const r3 = await resolveInputPattern(root, 'ver/span-3/v-{VERSION}/*.csv').catch((e: unknown) => e);
    expect(r3).toBeInstanceOf(DefinitionError);
  });

  it('makes a placeholder used twice match the same digits', async () => {
    const r = await resolveInputPattern(root, 'twice/span-{SPAN}/data-{SPAN}.csv');
    expect(r).toEqual({ files: abs('twice/span-5/data-5.csv'), span: 5 });
  });

  it('fails naming the pattern and the root when nothing matches', async () => {
    const err = await resolveInputPattern(root, 'nowhere/*.csv').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain("'nowhere/*.csv'");
    expect((err as Error).message).toContain(root);
    const err2 = await resolveInputPattern(root, 'flat/span-{SPAN}.csv').catch((e: unknown) => e);
    expect((err2 as Error).message).toMatch(/no input files match 'flat\/span-\{SPAN\}\.csv'.*digits where \{SPAN\} is/);
  });

  it('translates globs with placeholders into capturing regexes', () => {
    const re = patternRegex('data/**/span-{SPAN}/v{VERSION}/*.csv');
    expect(re.exec('data/a/b/span-12/v3/x.csv')?.groups).toMatchObject({ span: '12', version: '3' });
    expect(re.test('data/span-12/v3/x.csv')).toBe(true);
    expect(re.test('data/span-x/v3/x.csv')).toBe(false);
    expect(re.test('data/span-1/v3/sub/x.csv')).toBe(false);
    expect(patternRegex('a[!b]?.{csv,tsv}').test('ac1.tsv')).toBe(true);
  });

  it('fingerprints files by path, size and mtime, whatever their order', async () => {
    const files = abs('flat/a.csv', 'flat/b.csv');
    const fp = await fingerprintFiles(files);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(await fingerprintFiles([...files].reverse())).toBe(fp);
    fs.appendFileSync(files[0]!, 'more');
    const changed = await fingerprintFiles(files);
    expect(changed).not.toBe(fp);
    // same size, new mtime
    const t = new Date(Date.now() + 5_000);
    fs.utimesSync(files[0]!, t, t);
    expect(await fingerprintFiles(files)).not.toBe(changed);
  });
});
