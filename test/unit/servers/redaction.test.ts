// Secret redaction (src/servers/http/redact.ts) through every path that prints, for keys of every
// length: error messages quoting a server, the transports' logger, the VS Code log channel.
// The CLI's output is covered against a hostile server (hostile.test.ts, keys of 32 and 2 chars).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { httpError, protocolError } from '../../../src/servers/errors';
import { REDACTED, redactSecrets, redactingLogger } from '../../../src/servers/http/redact';
import type { ServerLogger } from '../../../src/servers/types';
import { createLogger } from '../../../src/vscode/logger';
import { memoryLogger } from './helpers';

const KEYS = ['Z', 'q7', 'x_9', 'ab12', 'sk-test-FAKEKEY-9f8e7d6c5b4a3210'];

/** A stand-in for VS Code's LogOutputChannel: only the five level methods, recording lines. */
function fakeChannel(): { channel: vscode.LogOutputChannel; lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  const channel = { trace: record('trace'), debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  return { channel: channel as unknown as vscode.LogOutputChannel, lines };
}

describe('redaction', () => {
  for (const key of KEYS) {
    const echoed = `upstream said: token ${key} refused`;

    test(`a key of ${key.length} character(s) is cut from a quoted server body (error message and serverMessage)`, () => {
      const ctx = { url: 'http://127.0.0.1:1', endpoint: 'POST /v1/completions', secret: key };
      const e = httpError(ctx, 500, JSON.stringify({ error: { message: echoed } }));
      assert.ok(!e.message.includes(` ${key} `), e.message);
      assert.ok(e.message.includes(`token ${REDACTED} refused`), e.message);
      assert.ok(!(e.serverMessage ?? '').includes(` ${key} `));
      assert.ok(protocolError(ctx, echoed).message.includes(`token ${REDACTED} refused`));
    });

    test(`a key of ${key.length} character(s) is cut from the transports' log lines and the VS Code log channel`, () => {
      const lines = memoryLogger();
      redactingLogger<ServerLogger>(lines, () => [key]).warn(echoed);
      assert.deepEqual(lines.lines, [`warn upstream said: token ${REDACTED} refused`]);
      const { channel, lines: channelLines } = fakeChannel();
      const log = createLogger(channel, () => [key]);
      log.info(echoed);
      log.trace(echoed);
      assert.deepEqual(channelLines, [`info upstream said: token ${REDACTED} refused`, `trace upstream said: token ${REDACTED} refused`]);
    });
  }

  test('every configured key, longest first (a key inside another goes with it); labelled tokens too', () => {
    assert.equal(redactSecrets('a=abcdef b=abc', ['abc', 'abcdef']), `a=${REDACTED} b=${REDACTED}`);
    assert.equal(redactSecrets('Authorization: Bearer unknown-token', []), 'Authorization: Bearer [redacted]');
    assert.equal(redactSecrets('bearer unknown-token', []), 'bearer [redacted]');
    assert.equal(redactSecrets('{"api_key":"zzz"}', []), `{"api_key":"${REDACTED}"}`);
    assert.equal(redactSecrets('CF-Access-Client-Secret: 0f9e8d7c', []), `CF-Access-Client-Secret: ${REDACTED}`);
    assert.equal(redactSecrets('x-api-key=k-1', []), `x-api-key=${REDACTED}`);
    assert.equal(redactSecrets('nothing secret here', [undefined, '']), 'nothing secret here');
  });

  test('the credential after any scheme word (Basic, Token), and values of …-Token headers; token counts stay', () => {
    assert.equal(redactSecrets('Authorization: Basic dXNlcjpwYXNz', []), `Authorization: Basic ${REDACTED}`);
    assert.equal(redactSecrets('authorization: Token t-1', []), `authorization: Token ${REDACTED}`);
    assert.equal(redactSecrets('X-Gateway-Token: abc123', []), `X-Gateway-Token: ${REDACTED}`);
    assert.equal(redactSecrets('{"access_token":"q"}', []), `{"access_token":"${REDACTED}"}`);
    assert.equal(redactSecrets('first token 120 ms, max_tokens: 100, first token: 12', []), 'first token 120 ms, max_tokens: 100, first token: 12');
  });
});
