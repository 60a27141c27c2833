// package.json's contributions as VS Code reads them: every enum that describes its members describes
// each one (the Language Models editor's form and the Settings editor show them side by side), and
// every %key% the manifest names has its text in package.nls.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const manifest: unknown = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;

/** Every object in the manifest with the JSON path to it. */
function* objects(value: unknown, path = '$'): Generator<[string, Record<string, unknown>]> {
  if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* objects(item, `${path}[${i}]`);
  else if (typeof value === 'object' && value !== null) {
    yield [path, value as Record<string, unknown>];
    for (const [key, item] of Object.entries(value)) yield* objects(item, `${path}.${key}`);
  }
}

test('every enum with descriptions or labels has one per member', () => {
  let checked = 0;
  for (const [path, object] of objects(manifest)) {
    if (!Array.isArray(object.enum)) continue;
    for (const field of ['enumDescriptions', 'markdownEnumDescriptions', 'enumItemLabels']) {
      const list = object[field];
      if (list === undefined) continue;
      checked++;
      assert.ok(Array.isArray(list), `${path}.${field} is a list`);
      assert.equal(list.length, object.enum.length, `${path}.${field} has ${list.length} entries for ${object.enum.length} members (${object.enum.join(', ')})`);
    }
  }
  assert.ok(checked > 0, 'the manifest has described enums');
});

test('every %key% in package.json has its text in package.nls.json', () => {
  const keys = [...readFileSync(join(root, 'package.json'), 'utf8').matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]!);
  assert.ok(keys.length > 0);
  assert.deepEqual(keys.filter((key) => !(key in nls)), []);
});
