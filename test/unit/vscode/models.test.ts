// The model picker's entry: a warning when the server's context is too small for agent mode.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelInformation } from '../../../src/vscode/models';
import { DEFAULT_SETTINGS } from '../../../src/vscode/settings';

const server = { url: 'http://127.0.0.1:8080', kind: 'llamacpp' as const };

test('a 4,096-token context warns that agent mode does not fit; 32,768 does not warn', () => {
  const small = modelInformation(server, { id: 'gpt-oss-20b', contextLength: 4096 }, DEFAULT_SETTINGS) as { warningText?: string };
  assert.equal(small.warningText, 'Context of 4096 tokens: too small for agent mode (its prompt alone is about 8360 tokens, plus 2048 for the answer). Run Harmony: Check Server.');
  const large = modelInformation(server, { id: 'gpt-oss-20b', contextLength: 32768 }, DEFAULT_SETTINGS) as { warningText?: string };
  assert.equal(large.warningText, undefined);
});
