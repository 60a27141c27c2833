// JSON Schema → TypeScript: the derived cases of test/fixtures/harmony/examples/
// ts_conversion_harmony_vs_jinja.txt (HARMONY side), whose schemas are written back here
// from what each case shows, plus edge cases of harmony's rules (json_schema_to_typescript in
// https://github.com/openai/harmony/blob/main/src/encoding.rs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaToTypeScript } from '../../../src/harmony/schemaToTs';
import { toolsSection } from '../../../src/harmony/sections';
import { HARMONY_FIXTURES } from '../../support/fixtures';

/** The HARMONY blocks of the examples file, by title. */
function harmonyCases(): Map<string, string> {
  const file = readFileSync(join(HARMONY_FIXTURES, 'examples/ts_conversion_harmony_vs_jinja.txt'), 'utf8');
  const cases = new Map<string, string>();
  for (const block of file.split(/^=== /m).slice(1)) {
    const newline = block.indexOf('\n');
    const title = block.slice(0, newline);
    if (title.startsWith('HARMONY')) cases.set(title.replace(/^HARMONY:? ?/, ''), block.slice(newline + 1).replace(/\n+$/, ''));
  }
  return cases;
}

const typeLine = (schema: unknown): string => `type f = (_: ${schemaToTypeScript(schema)}) => any;`;

test('the examples file has the four HARMONY cases this test covers', () => {
  assert.deepEqual([...harmonyCases().keys()], [
    'nested object + array of objects + defaults',
    'empty-properties object',
    'no type but properties',
    'multi-line description tool section',
  ]);
});

test('nested object, array of objects, defaults, nullable type lists, anyOf/$ref as any', () => {
  const schema = {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'File path' },
      edits: {
        type: 'array',
        description: 'Edits to apply',
        items: { type: 'object', properties: { old: { type: 'string' }, new: { type: 'string', default: '' } }, required: ['old'] },
      },
      options: {
        type: 'object',
        description: 'Options',
        properties: { dry_run: { type: 'boolean', default: false }, depth: { type: 'integer', default: 2 } },
      },
      tags: { type: 'array' },
      mode: { type: 'string', enum: ['fast', 'slow'], default: 'fast' },
      level: { type: 'integer', minimum: 0 },
      ratio: { type: ['number', 'null'] },
      maybe: { anyOf: [{ type: 'string' }, { type: 'number' }], description: 'anyOf is not supported' },
      ref: { $ref: '#/$defs/x' },
      count: { type: ['integer', 'null'], default: null },
      meta: { type: 'object', properties: {}, default: { a: 1 } },
    },
    required: ['path', 'edits'],
  };
  assert.equal(typeLine(schema), harmonyCases().get('nested object + array of objects + defaults'));
});

test('empty properties object renders an empty object, not () => any', () => {
  assert.equal(typeLine({ type: 'object', properties: {} }), harmonyCases().get('empty-properties object'));
});

test('properties without type: object is any', () => {
  assert.equal(typeLine({ properties: { a: { type: 'string' } } }), harmonyCases().get('no type but properties'));
});

test('multi-line tool description: every line commented; no parameters vs empty parameters', () => {
  const section = toolsSection([
    {
      name: 'functions',
      tools: [
        { name: 'f', description: 'Line one.\nLine two.' },
        { name: 'g', description: '', parameters: { type: 'object', properties: {} } },
      ],
    },
  ]);
  assert.equal(section, harmonyCases().get('multi-line description tool section'));
});

test('schema-level oneOf starts on a new line, with nullable and two-way default comments', () => {
  const ts = schemaToTypeScript({
    oneOf: [
      { type: 'string', enum: ['a'], default: 'a', description: 'letter' },
      { type: 'number', nullable: true, default: 3 },
    ],
  });
  assert.equal(ts, '\n | "a" // letter default: "a"\n | number | null // default: 3');
});

test('a property-level oneOf whose description equals its first variant’s is printed once, after it', () => {
  const ts = schemaToTypeScript({
    type: 'object',
    properties: { x: { description: 'same', oneOf: [{ type: 'string', description: 'same' }, { type: 'boolean' }] } },
    required: ['x'],
  });
  assert.equal(ts, '{\nx:\n | string\n | boolean\n,\n}');
});

test('enum string default unquoted, other string defaults quoted, non-strings as compact JSON', () => {
  const ts = schemaToTypeScript({
    type: 'object',
    properties: {
      e: { type: 'string', enum: ['x', 'y'], default: 'x' },
      s: { type: 'string', default: 'hi' },
      a: { type: 'array', items: { type: 'number' }, default: [1, 2] },
    },
  });
  assert.equal(ts, '{\ne?: "x" | "y", // default: x\ns?: string, // default: "hi"\na?: number[], // default: [1,2]\n}');
});

test('odd schemas never throw: booleans, nulls, non-array enums and non-object properties', () => {
  for (const schema of [true, null, 3, 'x', [], { type: 'object', properties: { a: true, b: null } }, { type: 'string', enum: 'x' }, { type: [] }, { type: 'array', items: null }]) {
    assert.equal(typeof schemaToTypeScript(schema), 'string');
  }
  assert.equal(schemaToTypeScript({ type: 'object', properties: { a: true } }), '{\na?: any,\n}');
  assert.equal(schemaToTypeScript({ type: 'array', items: null }), 'any[]');
});
