// VS Code's http.* settings → our network options (plain functions, no vscode): what is ours,
// and when VS Code's own fetch stays in charge.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { networkOptionsFromSettings } from '../../../src/vscode/settings/networkSettings';

const settings = (values: Record<string, unknown>) => (key: string) => values[key];

test('nothing named and certificates checked: left to VS Code (its proxy resolution, PAC and system certificates)', () => {
  assert.equal(networkOptionsFromSettings(settings({ proxyStrictSSL: true, proxySupport: 'override', noProxy: [] }), {}), undefined);
});

test('http.proxy for both schemes, http.noProxy and NO_PROXY together, the proxy authorization header', () => {
  assert.deepEqual(networkOptionsFromSettings(settings({ proxy: ' http://proxy:3128 ', noProxy: ['localhost', 7], proxyAuthorization: 'Basic YTpi' }), { NO_PROXY: '127.0.0.1,.lan' }), {
    httpProxy: 'http://proxy:3128',
    httpsProxy: 'http://proxy:3128',
    noProxy: ['localhost', '127.0.0.1', '.lan'],
    proxyAuthorization: 'Basic YTpi',
  });
});

test('no http.proxy: the extension host environment’s HTTPS_PROXY/HTTP_PROXY', () => {
  assert.deepEqual(networkOptionsFromSettings(settings({ proxy: '' }), { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://h:2' }), { httpProxy: 'http://h:2', httpsProxy: 'http://s:1' });
});

test('http.proxyStrictSSL false: ours, without certificate checks, even without a proxy', () => {
  assert.deepEqual(networkOptionsFromSettings(settings({ proxyStrictSSL: false }), {}), { strictSSL: false });
});

test('http.proxySupport "off": no proxy from the setting or the environment', () => {
  assert.equal(networkOptionsFromSettings(settings({ proxySupport: 'off', proxy: 'http://p:1' }), { HTTP_PROXY: 'http://h:2' }), undefined);
  assert.deepEqual(networkOptionsFromSettings(settings({ proxySupport: 'off', proxy: 'http://p:1', proxyStrictSSL: false }), {}), { strictSSL: false });
});
