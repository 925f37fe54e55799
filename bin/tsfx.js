#!/usr/bin/env node
// The `tsfx` command. Pipelines are TypeScript files the user writes, so tsx's loader is
// registered first: the CLI and the pipeline file both run without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
