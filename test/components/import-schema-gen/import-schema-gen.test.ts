/**
 * ImportSchemaGen's driver and executor against a real SQLite metadata store (no Temporal):
 * the checked-in file becomes one ExternalArtifact per content, the executor copies it and
 * writes the binary form, and a bad or moving file is a clear error that names it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSchemaGenDriver, importSchemaGenExecutor, ImportSchemaGenParams } from '../../../components/import-schema-gen/index.js';
import { SCHEMA_BINARY_FILE, SCHEMA_TEXT_FILE } from '../../../components/schema-gen/spec.js';
import { DataError, DefinitionError } from '../../../src/errors.js';
import { openMetadataStore } from '../../../src/metadata/open.js';
import type { MetadataStore } from '../../../src/metadata/store.js';
import { artifactLookup } from '../../../src/orchestration/artifact-lookup.js';
import { decodeSchema } from '../../../src/schema/index.js';
import { makeCtx, removeTempDirs, tempDir, writeFiles } from '../example-gen/helpers.js';

const TEXT = 'feature {\n  name: "species"\n  type: BYTES\n}\nfeature {\n  name: "mass"\n  type: FLOAT\n  float_domain { disallow_nan: true }\n}\n';

let store: MetadataStore;
let root: string;

beforeAll(async () => {
  root = tempDir('import-schema');
  store = await openMetadataStore(path.join(root, 'metadata.sqlite'));
});
afterAll(async () => {
  await store.close();
  removeTempDirs();
});

const drive = (schemaFile: string | undefined, runId = 'r1') =>
  importSchemaGenDriver({
    params: ImportSchemaGenParams.parse(schemaFile === undefined ? {} : { schemaFile }),
    pipelineRoot: root,
    pipelineName: 'p',
    nodeId: 'ImportSchemaGen',
    inputs: {},
    artifacts: artifactLookup(store, { pipeline: 'p', runId, nodeId: 'ImportSchemaGen' }),
  });

/** The executor as the adapter would call it when the driver imported `schemaFile` (no input loaded). */
const execute = (schemaFile: string, resolved: { file: string; sha256: string }, out: string) =>
  importSchemaGenExecutor({
    inputs: {},
    outputs: { schema: { type: 'Schema', uri: out, path: out } },
    params: ImportSchemaGenParams.parse({ schemaFile }),
    resolved,
    ctx: makeCtx(root).ctx,
  });

describe('ImportSchemaGen', () => {
  it('imports the file once per content: the same bytes are the same artifact, an edit a new one', async () => {
    writeFiles(root, { 'schema/curated.pbtxt': TEXT });
    const file = path.join(root, 'schema/curated.pbtxt');
    const a = await drive('schema/curated.pbtxt');
    const b = await drive('schema/curated.pbtxt', 'r2');
    expect(b.inputs).toEqual(a.inputs);
    const [id] = a.inputs!.source!;
    const artifact = (await store.getArtifact(id!))!;
    expect(artifact).toMatchObject({ type: 'ExternalArtifact', uri: file, state: 'LIVE', properties: { source: file, sha256: a.fingerprint, size: TEXT.length } });
    // made by an Importer execution, as TFX's Importer node does
    const [made] = (await store.eventsOfArtifact(id!)).filter((e) => e.type === 'OUTPUT');
    expect((await store.getExecution(made!.executionId))!).toMatchObject({ type: 'Importer', state: 'COMPLETE' });

    fs.appendFileSync(file, '# reviewed\n');
    const c = await drive('schema/curated.pbtxt', 'r3');
    expect(c.fingerprint).not.toBe(a.fingerprint);
    expect(c.inputs!.source![0]).not.toBe(id);
  });

  it('writes the text verbatim and the same schema in binary', async () => {
    writeFiles(root, { 'ok.pbtxt': TEXT });
    const { resolved, inputs } = await drive('ok.pbtxt');
    const source = (await store.getArtifact(inputs!.source![0]!))!;
    const out = tempDir('import-out');
    const result = await importSchemaGenExecutor({
      inputs: { source: [{ ...source, type: 'ExternalArtifact', path: source.uri }] },
      outputs: { schema: { type: 'Schema', uri: out, path: out } },
      params: ImportSchemaGenParams.parse({ schemaFile: 'ok.pbtxt' }),
      resolved,
      ctx: makeCtx(root).ctx,
    });
    expect(result.schema).toMatchObject({ features: 2, source: path.join(root, 'ok.pbtxt'), sha256: resolved.sha256 });
    expect(fs.readFileSync(path.join(out, SCHEMA_TEXT_FILE), 'utf8')).toBe(TEXT);
    const schema = decodeSchema(fs.readFileSync(path.join(out, SCHEMA_BINARY_FILE)));
    expect(schema.feature.map((f) => [f.name, f.type])).toEqual([['species', 'BYTES'], ['mass', 'FLOAT']]);
  });

  it('a typo fails in the executor, naming the file, line and column; nothing is written', async () => {
    writeFiles(root, { 'typo.pbtxt': 'feature {\n  name: "a"\n  typ: INT\n}\n' });
    const { resolved } = await drive('typo.pbtxt');
    const out = tempDir('import-typo');
    const err = await execute('typo.pbtxt', resolved, out).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain(path.join(root, 'typo.pbtxt'));
    expect((err as Error).message).toMatch(/line 3:3/);
    expect((err as Error).message).toMatch(/typ/);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('a file edited between import and execution is refused rather than written under the old digest', async () => {
    writeFiles(root, { 'moving.pbtxt': TEXT });
    const { resolved } = await drive('moving.pbtxt');
    fs.writeFileSync(path.join(root, 'moving.pbtxt'), TEXT.replace('FLOAT', 'INT'));
    const out = tempDir('import-moving');
    const err = await execute('moving.pbtxt', resolved, out).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/changed after it was imported/);
  });

  it('a missing file names the path; no file at all is a definition error', async () => {
    const missing = await drive('nope.pbtxt').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DataError);
    expect((missing as Error).message).toContain(path.join(root, 'nope.pbtxt'));
    const none = await drive(undefined).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(DefinitionError);
    expect((none as Error).message).toMatch(/schemaFile/);
  });
});
