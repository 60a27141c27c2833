// The model picker's entry: a warning when the server's context is too small for agent mode, a
// status icon and a warning when its server is not reachable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UNREACHABLE_ICON, modelInformation } from '../../../src/vscode/provider/models';
import { DEFAULT_SETTINGS } from '../../../src/vscode/settings/settings';

const server = { url: 'http://127.0.0.1:8080', kind: 'llamacpp' as const };

test('a 4,096-token context warns that agent mode does not fit; 32,768 does not warn', () => {
  const small = modelInformation(server, { id: 'gpt-oss-20b', contextLength: 4096 }, DEFAULT_SETTINGS) as { warningText?: Record<string, string> };
  // A record by category, as VS Code reads it (Object.values of it); a plain string would show one character a line.
  assert.deepEqual(small.warningText, { context: 'Context of 4096 tokens: too small for agent mode (its prompt alone is about 8360 tokens, plus 2048 for the answer). Run Harmony: Check Server.' });
  const large = modelInformation(server, { id: 'gpt-oss-20b', contextLength: 32768 }, DEFAULT_SETTINGS) as { warningText?: unknown };
  assert.equal(large.warningText, undefined);
});

test('a server that is not reachable: the status icon from the ThemeIcon maker, and a warning saying why', () => {
  const made: string[] = [];
  const icon = (codicon: string): unknown => {
    made.push(codicon);
    return { id: codicon };
  };
  const down = modelInformation(server, { id: 'gpt-oss-20b' }, DEFAULT_SETTINGS, { unreachable: 'Could not connect to http://127.0.0.1:8080.', icon }) as { statusIcon?: unknown; warningText?: Record<string, string> };
  assert.deepEqual(down.statusIcon, { id: UNREACHABLE_ICON });
  assert.deepEqual(made, ['debug-disconnect']);
  assert.deepEqual(down.warningText, { server: 'Server not reachable: Could not connect to http://127.0.0.1:8080. Run Harmony: Check Server.' });
});

test('no ThemeIcon in this VS Code: no status icon, the warning still says why; a reachable server has neither', () => {
  const down = modelInformation(server, { id: 'gpt-oss-20b' }, DEFAULT_SETTINGS, { unreachable: 'Connection refused.' }) as { statusIcon?: unknown; warningText?: Record<string, string> };
  assert.ok(!('statusIcon' in down));
  assert.match(down.warningText?.server ?? '', /^Server not reachable: Connection refused\./);
  const up = modelInformation(server, { id: 'gpt-oss-20b', contextLength: 32768 }, DEFAULT_SETTINGS, { icon: () => ({ id: 'x' }) }) as { statusIcon?: unknown };
  assert.ok(!('statusIcon' in up));
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
