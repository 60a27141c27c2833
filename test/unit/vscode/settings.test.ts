// gptOss.* settings validation (plain functions of unknown, no vscode). Defaults and allowed
// values are checked against package.json, the schema VS Code shows the user.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import manifest from '../../../package.json';
import { DEFAULT_SAMPLING, DEFAULT_SETTINGS, createSettingsReader, samplingFor, validateSettings, type Settings } from '../../../src/vscode/settings/settings';

type Schema = { default?: unknown; enum?: readonly string[]; items?: { properties: { kind: { enum: readonly string[] } } } };
const schema = manifest.contributes.configuration.properties as Record<string, Schema>;

function validate(values: Partial<Record<keyof Settings, unknown>>): { settings: Settings; warnings: string[] } {
  const warnings: string[] = [];
  const settings = validateSettings((key) => values[key], (m) => warnings.push(m));
  return { settings, warnings };
}

test('the defaults are the ones package.json declares', () => {
  for (const [key, value] of Object.entries(DEFAULT_SETTINGS)) {
    assert.deepEqual(value, schema[`gptOss.${key}`]?.default, `gptOss.${key}`);
  }
});

test('every value package.json allows is accepted as it is, without a warning', () => {
  for (const key of ['reasoningEffort', 'endpoint', 'logLevel'] as const) {
    for (const value of schema[`gptOss.${key}`]!.enum!) {
      const { settings, warnings } = validate({ [key]: value });
      assert.equal(settings[key], value);
      assert.deepEqual(warnings, []);
    }
  }
  const kinds = schema['gptOss.servers']!.items!.properties.kind.enum;
  const { settings, warnings } = validate({ servers: kinds.map((kind, i) => ({ url: `http://h${i}:1/`, kind })) });
  assert.deepEqual(settings.servers.map((s) => s.kind), kinds);
  assert.deepEqual(warnings, []);
});

test('valid settings come through; a server URL loses its trailing slashes', () => {
  const servers = [{ url: ' http://gpu:8000// ', kind: 'vllm', name: 'GPU box', models: ['openai/gpt-oss-120b'] }];
  const { settings, warnings } = validate({ requestTimeoutSeconds: 30, maxOutputTokens: 512, extraBody: { top_k: 20 }, servers });
  assert.deepEqual(warnings, []);
  assert.equal(settings.requestTimeoutSeconds, 30);
  assert.equal(settings.maxOutputTokens, 512);
  assert.deepEqual(settings.extraBody, { top_k: 20 });
  assert.deepEqual(settings.servers, [{ url: 'http://gpu:8000', kind: 'vllm', name: 'GPU box', models: ['openai/gpt-oss-120b'] }]);
});

test('unset settings are the defaults, silently', () => {
  assert.deepEqual(validate({}), { settings: DEFAULT_SETTINGS, warnings: [] });
});

const invalid: [keyof Settings, unknown][] = [
  ['reasoningEffort', 'max'],
  ['requestTimeoutSeconds', '120'],
  ['requestTimeoutSeconds', 0],
  ['endpoint', 'completions'],
  ['extraBody', ['top_k', 20]],
  ['maxOutputTokens', 8],
  ['maxOutputTokens', Number.NaN],
  ['logLevel', 'verbose'],
  ['servers', { url: 'http://h:1' }],
];
for (const [key, value] of invalid) {
  test(`gptOss.${key} = ${JSON.stringify(value)}: one warning naming the setting and the value, and the default`, () => {
    const { settings, warnings } = validate({ [key]: value });
    assert.deepEqual(settings[key], DEFAULT_SETTINGS[key]);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.ok(warnings[0]!.includes(`gptOss.${key}`), warnings[0]);
    assert.ok(warnings[0]!.includes(JSON.stringify(value) ?? ''), warnings[0]);
  });
}

test('a server without a URL is left out with a warning; a bad kind becomes auto with a warning; the others stay', () => {
  const { settings, warnings } = validate({ servers: [{ name: 'no url' }, { url: 'http://a:1', kind: 'vLLM' }, { url: 'http://b:2' }] });
  assert.deepEqual(settings.servers, [{ url: 'http://a:1', kind: 'auto' }, { url: 'http://b:2', kind: 'auto' }]);
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[0]!, /gptOss\.servers\[0\].*url/);
  assert.match(warnings[1]!, /gptOss\.servers\[1\]\.kind.*"vLLM"/);
});

test('the reader warns when an invalid value appears, not again while it stays, and again after it was fixed', () => {
  const values: Partial<Record<keyof Settings, unknown>> = { endpoint: 'rawest' };
  const warnings: string[] = [];
  const read = createSettingsReader((key) => values[key], (m) => warnings.push(m));
  read();
  read();
  assert.equal(warnings.length, 1);
  values.logLevel = 'loud';
  assert.equal(read().logLevel, 'info');
  assert.equal(warnings.length, 2);
  values.endpoint = 'raw';
  assert.equal(read().endpoint, 'raw');
  values.endpoint = 'rawest';
  read();
  assert.equal(warnings.length, 3);
  assert.match(warnings[2]!, /gptOss\.endpoint/);
});

test('sampling per server and per model: the user\'s names in, the transport\'s out; a model entry may be an object with an id', () => {
  const servers = [
    {
      url: 'http://gpu:8000',
      temperature: 0.6,
      top_k: 40,
      models: ['gpt-oss-20b', { id: 'gpt-oss-120b', temperature: 0.9, top_p: 0.95, min_p: 0.02, maxTokens: 16384 }],
    },
  ];
  const { settings, warnings } = validate({ servers });
  assert.deepEqual(warnings, []);
  const [server] = settings.servers;
  assert.deepEqual(server, {
    url: 'http://gpu:8000',
    kind: 'auto',
    models: ['gpt-oss-20b', 'gpt-oss-120b'],
    sampling: { temperature: 0.6, topK: 40 },
    modelSampling: { 'gpt-oss-120b': { temperature: 0.9, topP: 0.95, minP: 0.02, maxTokens: 16384 } },
  });
  // The defaults (gpt-oss: temperature 1.0, top_p 1.0), then the server's, then the model's own.
  assert.deepEqual(DEFAULT_SAMPLING, { temperature: 1, topP: 1 });
  assert.deepEqual(samplingFor(server!, 'gpt-oss-20b'), { temperature: 0.6, topP: 1, topK: 40 });
  assert.deepEqual(samplingFor(server!, 'gpt-oss-120b'), { temperature: 0.9, topP: 0.95, topK: 40, minP: 0.02, maxTokens: 16384 });
  assert.deepEqual(samplingFor({ url: 'http://x', kind: 'auto' }, 'any'), DEFAULT_SAMPLING);
});

test('a bad sampling value is left out with a warning naming the field; a model entry without an id is left out', () => {
  const servers = [{ url: 'http://gpu:8000', temperature: '1', top_p: 1.5, top_k: 2.5, maxTokens: 8, models: [{ id: 'm', min_p: -1 }, { temperature: 1 }, 7] }];
  const { settings, warnings } = validate({ servers });
  assert.deepEqual(settings.servers[0], { url: 'http://gpu:8000', kind: 'auto', models: ['m'] });
  assert.deepEqual(
    warnings.map((w) => w.split(':')[0]),
    ['gptOss.servers[0].models[0].min_p', 'gptOss.servers[0].models[1]', 'gptOss.servers[0].models[2]', 'gptOss.servers[0].temperature', 'gptOss.servers[0].top_p', 'gptOss.servers[0].top_k', 'gptOss.servers[0].maxTokens'],
  );
});

test('headers: kept as written (a ${secret} value is filled in later); a bad name, one of ours, or a multi-line value is left out without echoing the value', () => {
  const headers = { 'X-Api-Key': '${secret}', 'CF-Access-Client-Id': 'id-1', 'Bad Name': 'v', 'Content-Type': 'text/plain', 'X-Inject': 'a\r\nHost: evil', 'X-Num': 5 };
  const { settings, warnings } = validate({ servers: [{ url: 'http://gw:4000', headers }] });
  assert.deepEqual(settings.servers[0]!.headers, { 'X-Api-Key': '${secret}', 'CF-Access-Client-Id': 'id-1' });
  assert.equal(warnings.length, 4, warnings.join('\n'));
  assert.ok(warnings.every((w) => w.startsWith('gptOss.servers[0].headers')), warnings.join('\n'));
  assert.ok(!warnings.some((w) => w.includes('evil')), 'a header value is never echoed');
  assert.equal(validate({ servers: [{ url: 'http://gw:4000', headers: ['X: y'] }] }).warnings.length, 1);
});

test('package.json declares every per-server and per-model sampling field and headers', () => {
  const items = (manifest.contributes.configuration.properties['gptOss.servers'] as unknown as { items: { properties: Record<string, { items?: { anyOf: { properties?: Record<string, unknown> }[] } }> } }).items.properties;
  const fields = ['temperature', 'top_p', 'top_k', 'min_p', 'maxTokens'];
  for (const field of [...fields, 'headers']) assert.ok(items[field], field);
  const modelObject = items.models!.items!.anyOf.find((a) => a.properties)!;
  for (const field of ['id', ...fields]) assert.ok(modelObject.properties![field], `models[].${field}`);
});
