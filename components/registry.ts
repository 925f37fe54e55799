/**
 * The built-in components a worker can run, keyed by their TFX name. A pipeline node names
 * its component; the worker looks the implementation up here.
 */
import type { ComponentImpl } from '../src/dsl/component.js';
import { exampleGenComponent } from './example-gen/index.js';
import { exampleValidatorComponent } from './example-validator/index.js';
import { importSchemaGenComponent } from './import-schema-gen/index.js';
import { schemaGenComponent } from './schema-gen/index.js';
import { statisticsGenComponent } from './statistics-gen/index.js';

export const builtinComponents: ComponentImpl[] = [exampleGenComponent, statisticsGenComponent, schemaGenComponent, importSchemaGenComponent, exampleValidatorComponent];
