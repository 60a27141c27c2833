// Proxy and TLS, end to end on loopback: a recording forward proxy of ours (HTTP and CONNECT),
// a self-signed TLS front made with openssl at test time, the transport (the openai-SDK SSE
// path and the ollama client) and the CLI, in-process and as a child process for
// NODE_EXTRA_CA_CERTS (Node reads it at start-up only).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServerError, complete, createNetwork, listModels, networkFromEnv, type NetworkOptions, type ServerConfig } from '../../../src/servers';
import { startRecordingProxy, type RecordingProxy } from '../../support/recordingProxy';
import { selfSignedCertificate, tlsFront, type SelfSigned, type TlsFront } from '../../support/selfSignedTls';
import { startOllamaStandIn } from '../../support/ollama-stand-in';
import { runCli } from '../../support/cliHarness';
import { CAPTURES, capture, loopback, replayAt, type Loopback } from './loopback';
import { FAKE_KEY, collect, memoryLogger } from './helpers';

const root = join(__dirname, '../../..');
const chatRequest = JSON.parse(readFileSync(join(CAPTURES, 'req-scripted-toolcall-stream.json'), 'utf8')) as Record<string, unknown>;
const REASONING = 'User asks for the weather in Tokyo. Need to call get_weather.';

function reasoningOf(events: readonly { type: string; text?: string }[]): string {
  return events.filter((e) => e.type === 'contentDelta').map((e) => e.text).join('');
}

async function withNetwork<T>(options: NetworkOptions, body: (config: Pick<ServerConfig, 'network'>) => Promise<T>): Promise<T> {
  const network = createNetwork(options);
  try {
    return await body({ network });
  } finally {
    await network.close();
  }
}

function chatConfig(url: string, extra: Partial<ServerConfig>): ServerConfig {
  return { url, kind: 'llamacpp', endpoint: 'chat', apiKey: FAKE_KEY, maxRetries: 0, ...extra };
}

/** Runs the built-from-source CLI as a child process (async: the servers answer from this process). */
function cliProcess(args: string[], env: Record<string, string | undefined>, input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const NO_PROXY_ENV = { HTTP_PROXY: undefined, HTTPS_PROXY: undefined, http_proxy: undefined, https_proxy: undefined, NO_PROXY: undefined, no_proxy: undefined, NODE_EXTRA_CA_CERTS: undefined };

async function withEnv<T>(values: Record<string, string | undefined>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  const set = (entries: Record<string, string | undefined>): void => {
    for (const [k, v] of Object.entries(entries)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  set(values);
  try {
    return await body();
  } finally {
    set(saved);
  }
}

const undiciLoaded = (): boolean => Object.keys(require.cache).some((path) => /[\\/]node_modules[\\/]undici[\\/]/.test(path));

test('undici (a few hundred ms to load) is loaded by the first network built, not by importing the transport', async () => {
  assert.equal(undiciLoaded(), false);
  await withNetwork({ httpProxy: 'http://proxy.example:3128' }, async () => assert.equal(undiciLoaded(), true));
});

describe('network options', () => {
  test('from the environment: lower case before upper case, https falls back to the http proxy, NO_PROXY split', () => {
    assert.equal(networkFromEnv({}), undefined);
    assert.deepEqual(networkFromEnv({ HTTP_PROXY: 'http://upper:1', http_proxy: 'http://lower:2', NO_PROXY: 'localhost, .corp.example 10.0.0.1:8000' }), {
      httpProxy: 'http://lower:2',
      httpsProxy: 'http://lower:2',
      noProxy: ['localhost', '.corp.example', '10.0.0.1:8000'],
    });
    assert.deepEqual(networkFromEnv({ HTTPS_PROXY: 'http://s:3' }), { httpProxy: undefined, httpsProxy: 'http://s:3', noProxy: [] });
  });

  test('which URLs go through the proxy: NO_PROXY names a host, its subdomains, a port, or everything', async () => {
    await withNetwork({ httpProxy: 'proxy.example:3128', httpsProxy: 'http://user:secret@tls-proxy.example:8443', noProxy: ['localhost', '.corp.example', 'gpu.lan:8000', '[::1]'] }, async ({ network }) => {
      assert.equal(network!.proxyFor('http://models.example:8000'), 'http://proxy.example:3128');
      assert.equal(network!.proxyFor('https://models.example'), 'http://tls-proxy.example:8443', 'the credentials are not shown');
      assert.equal(network!.proxyFor('http://localhost:8080'), undefined);
      assert.equal(network!.proxyFor('http://api.localhost:8080'), undefined, 'a bare name covers its subdomains');
      assert.equal(network!.proxyFor('http://a.corp.example'), undefined);
      assert.equal(network!.proxyFor('http://corp.example'), 'http://proxy.example:3128', '.domain is for subdomains only');
      assert.equal(network!.proxyFor('http://gpu.lan:8000'), undefined);
      assert.equal(network!.proxyFor('http://gpu.lan:9000'), 'http://proxy.example:3128', 'another port is proxied');
      assert.equal(network!.proxyFor('http://[::1]:8080'), undefined);
      assert.ok(!network!.description.includes('secret'), network!.description);
    });
    await withNetwork({ httpProxy: 'http://p:1', noProxy: ['*'] }, async ({ network }) => assert.equal(network!.proxyFor('http://anything:1'), undefined));
  });
});

describe('through a recording proxy on loopback', () => {
  let server: Loopback;
  let proxy: RecordingProxy;
  before(async () => {
    server = await loopback(replayAt('/v1/chat/completions', capture('sse-scripted-toolcall.txt'), []));
    proxy = await startRecordingProxy();
  });
  after(async () => {
    await server.close();
    await proxy.close();
  });

  test('an http:// server: the request is forwarded as a plain HTTP request (absolute URL), the answer streams back', async () => {
    const before = proxy.requests.length;
    const logger = memoryLogger();
    const events = await withNetwork({ httpProxy: proxy.url }, async ({ network }) => collect(complete(chatConfig(server.url, { network, logger }), { chat: chatRequest })));
    assert.equal(events.error, undefined);
    assert.equal(reasoningOf(events.items), `${REASONING}{"city":"Tokyo"}`);
    const forwarded = proxy.requests.slice(before);
    assert.deepEqual(forwarded.map((r) => `${r.method} ${r.target}`), [`POST ${server.url}/v1/chat/completions`]);
    assert.equal(server.requests.at(-1)!.headers.authorization, `Bearer ${FAKE_KEY}`, 'the key reaches the server');
    assert.ok(logger.lines.some((l) => l.includes(`via ${proxy.url}`)), logger.lines.join('\n'));
    assert.ok(!logger.lines.join('\n').includes(FAKE_KEY));
  });

  test('NO_PROXY: the same request goes directly, the proxy sees nothing', async () => {
    const before = proxy.requests.length;
    const served = server.requests.length;
    const events = await withNetwork({ httpProxy: proxy.url, noProxy: ['127.0.0.1'] }, async ({ network }) => collect(complete(chatConfig(server.url, { network }), { chat: chatRequest })));
    assert.equal(events.error, undefined);
    assert.equal(proxy.requests.length, before);
    assert.equal(server.requests.length, served + 1);
  });

  test('the ollama client goes through the proxy too (it is handed our fetch)', async () => {
    const ollama = await startOllamaStandIn({ answer: '<|channel|>final<|message|>hi' });
    try {
      const before = proxy.requests.length;
      const models = await withNetwork({ httpProxy: proxy.url }, async ({ network }) => listModels({ url: ollama.url, kind: 'ollama', network }));
      assert.deepEqual(models.map((m) => m.id), ['gpt-oss:20b']);
      const targets = proxy.requests.slice(before).map((r) => `${r.method} ${r.target}`);
      assert.deepEqual(targets, [`GET ${ollama.url}/api/tags`, `POST ${ollama.url}/api/show`]);
    } finally {
      await ollama.close();
    }
  });

  test('the CLI honours HTTP_PROXY and NO_PROXY', async () => {
    const request = JSON.stringify(chatRequest);
    const args = ['chat', '--url', server.url, '--kind', 'llamacpp', '--endpoint', 'chat', '--verbose', 'req.json'];
    const before = proxy.requests.length;
    const through = await withEnv({ ...NO_PROXY_ENV, HTTP_PROXY: proxy.url }, () => runCli(args, { 'req.json': request }));
    assert.equal(through.code, 0, through.stderr);
    assert.match(through.stderr, new RegExp(`network: proxy ${proxy.url}`));
    assert.deepEqual(proxy.requests.slice(before).map((r) => r.method), ['POST']);
    const direct = await withEnv({ ...NO_PROXY_ENV, HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' }, () => runCli(args, { 'req.json': request }));
    assert.equal(direct.code, 0, direct.stderr);
    assert.equal(proxy.requests.length, before + 1, 'NO_PROXY bypasses the proxy');
  });

  test('a proxy that asks for credentials (407): a clear error naming the proxy; its password is never printed', async () => {
    const refusing = await startRecordingProxy({ refuse: 407 });
    try {
      const withPassword = refusing.url.replace('http://', 'http://alice:pr0xy-pa55@');
      const events = await withNetwork({ httpProxy: withPassword }, async ({ network }) => collect(complete(chatConfig(server.url, { network }), { chat: chatRequest })));
      assert.ok(events.error instanceof ServerError);
      assert.equal(events.error.kind, 'auth');
      assert.match(events.error.message, new RegExp(`through the proxy ${refusing.url}: the proxy asks for credentials \\(407\\)`));
      assert.ok(!events.error.message.includes('pr0xy-pa55'));
      assert.equal(refusing.requests[0]!.headers['proxy-authorization'], `Basic ${Buffer.from('alice:pr0xy-pa55').toString('base64')}`, 'the credentials from the URL were offered');
    } finally {
      await refusing.close();
    }
  });

  test('a proxy that is not there: the error names the proxy, not the server', async () => {
    const gone = await startRecordingProxy();
    const url = gone.url;
    await gone.close();
    const events = await withNetwork({ httpProxy: url }, async ({ network }) => collect(complete(chatConfig(server.url, { network }), { chat: chatRequest })));
    assert.ok(events.error instanceof ServerError);
    assert.match(events.error.message, new RegExp(`^Cannot reach the proxy ${url} on the way to ${server.url} \\(ECONNREFUSED\\)`));
  });
});

describe('a self-signed TLS server on loopback', () => {
  let certificate: SelfSigned;
  let server: Loopback;
  let front: TlsFront;
  let proxy: RecordingProxy;
  before(async () => {
    certificate = await selfSignedCertificate();
    server = await loopback(replayAt('/v1/chat/completions', capture('sse-scripted-toolcall.txt'), []));
    front = await tlsFront(certificate, server.url);
    proxy = await startRecordingProxy();
  });
  after(async () => {
    await front.close();
    await server.close();
    await proxy.close();
    await certificate.dispose();
  });

  test('untrusted: a clear error naming the certificate problem and both ways out', async () => {
    const events = await collect(complete(chatConfig(front.url, {}), { chat: chatRequest }));
    assert.ok(events.error instanceof ServerError);
    assert.equal(events.error.message, `Cannot connect to ${front.url}: the TLS certificate of ${front.url} is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT). If you trust it, trust its CA: start VS Code (or harmony) with NODE_EXTRA_CA_CERTS=/path/to/ca.pem; in VS Code, http.proxyStrictSSL set to false skips the check (the connection is then not authenticated).`);
  });

  test('trusted (its certificate among the CAs): works, directly and through a CONNECT tunnel', async () => {
    const direct = await withNetwork({ ca: [certificate.cert] }, async ({ network }) => collect(complete(chatConfig(front.url, { network }), { chat: chatRequest })));
    assert.equal(direct.error, undefined);
    assert.equal(reasoningOf(direct.items), `${REASONING}{"city":"Tokyo"}`);
    const before = proxy.requests.length;
    const tunnelled = await withNetwork({ httpsProxy: proxy.url, ca: [certificate.cert] }, async ({ network }) => collect(complete(chatConfig(front.url, { network }), { chat: chatRequest })));
    assert.equal(tunnelled.error, undefined);
    assert.deepEqual(proxy.requests.slice(before).map((r) => `${r.method} ${r.target}`), [`CONNECT ${new URL(front.url).host}`]);
  });

  test('through the proxy, still untrusted: the same certificate error, naming the proxy too', async () => {
    const events = await withNetwork({ httpsProxy: proxy.url }, async ({ network }) => collect(complete(chatConfig(front.url, { network }), { chat: chatRequest })));
    assert.ok(events.error instanceof ServerError);
    assert.match(events.error.message, new RegExp(`the certificate of ${front.url} \\(or of the proxy ${proxy.url}\\) is self-signed \\(DEPTH_ZERO_SELF_SIGNED_CERT\\)`));
  });

  test('strictSSL off (http.proxyStrictSSL false): accepted without trusting it', async () => {
    const events = await withNetwork({ strictSSL: false }, async ({ network }) => collect(complete(chatConfig(front.url, { network }), { chat: chatRequest })));
    assert.equal(events.error, undefined);
  });

  test('the CLI: fails with the certificate error, works with NODE_EXTRA_CA_CERTS, and through HTTPS_PROXY (CONNECT)', async () => {
    const args = ['chat', '--url', front.url, '--kind', 'llamacpp', '--endpoint', 'chat', '-'];
    const input = JSON.stringify(chatRequest);
    const untrusted = await cliProcess(args, { ...NO_PROXY_ENV, HARMONY_API_KEY: FAKE_KEY }, input);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stderr, /is self-signed \(DEPTH_ZERO_SELF_SIGNED_CERT\)\. If you trust it, trust its CA: start VS Code \(or harmony\) with NODE_EXTRA_CA_CERTS/);
    assert.ok(!untrusted.stderr.includes(FAKE_KEY));
    const trusted = await cliProcess(args, { ...NO_PROXY_ENV, NODE_EXTRA_CA_CERTS: certificate.certPath }, input);
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.equal(trusted.stdout, `[reasoning]\n${REASONING}\n[tool call get_weather]\n{"city":"Tokyo"}\n`);
    const before = proxy.requests.length;
    const proxied = await cliProcess(args, { ...NO_PROXY_ENV, NODE_EXTRA_CA_CERTS: certificate.certPath, HTTPS_PROXY: proxy.url }, input);
    assert.equal(proxied.code, 0, proxied.stderr);
    assert.deepEqual(proxy.requests.slice(before).map((r) => `${r.method} ${r.target}`), [`CONNECT ${new URL(front.url).host}`]);
  });
});
