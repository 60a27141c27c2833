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

test('the fields the agent host lists a bring-your-own-key model by: isBYOK, the context window, the efforts and their default', () => {
  const settings = { ...DEFAULT_SETTINGS, reasoningEffort: 'high' as const };
  const model = modelInformation(server, { id: 'gpt-oss-20b', contextLength: 32768 }, settings) as unknown as {
    isBYOK?: boolean;
    maxContextWindowTokens?: number;
    maxInputTokens: number;
    maxOutputTokens: number;
    targetChatSessionType?: string;
    configurationSchema?: { properties?: { reasoningEffort?: { enum?: string[]; default?: string } } };
  };
  assert.equal(model.isBYOK, true);
  assert.equal(model.maxContextWindowTokens, 32768);
  assert.equal(model.maxInputTokens + model.maxOutputTokens, 32768);
  // A model bound to one chat session type is left out of the agent host's list.
  assert.equal(model.targetChatSessionType, undefined);
  assert.deepEqual(model.configurationSchema?.properties?.reasoningEffort?.enum, ['low', 'medium', 'high']);
  assert.equal(model.configurationSchema?.properties?.reasoningEffort?.default, 'high');
});
