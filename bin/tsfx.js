#!/usr/bin/env node
// The `tsfx` command. Pipelines are TypeScript files the user writes, so tsx's loaders are
// registered first: the CLI and the pipeline file both run without a build step. Both hooks:
// a pipeline outside a `"type": "module"` package is loaded as CommonJS, and its imports of
// tsfx's ES modules then need tsx's require() hook too (else ERR_REQUIRE_CYCLE_MODULE).
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

registerCjs();
register();
await import('../src/cli/main.ts');
