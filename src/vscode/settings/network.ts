// The network our requests use inside VS Code, rebuilt when an http.* setting changes
// (networkSettings.ts says what is ours and what is left to VS Code).
import * as tls from 'node:tls';
import * as vscode from 'vscode';
import { createNetwork, type Network, type NetworkOptions } from '../../servers';
import type { ChannelLogger } from '../logger';
import { networkOptionsFromSettings } from './networkSettings';

/** Node's CAs (with NODE_EXTRA_CA_CERTS) and, where Node can read them, the system's: what VS Code's own fetch trusts. */
function trustedCertificates(): string[] | undefined {
  const read = (tls as { getCACertificates?: (type: 'default' | 'system') => string[] }).getCACertificates;
  if (read === undefined) return undefined;
  try {
    return [...new Set([...read('default'), ...read('system')])];
  } catch {
    return undefined;
  }
}

export interface NetworkHolder extends vscode.Disposable {
  /** The network for the next request; undefined: VS Code's own fetch. */
  current(): Network | undefined;
}

export function createNetworkHolder(log: ChannelLogger): NetworkHolder {
  let built: { readonly key: string; readonly network: Network | undefined } | undefined;
  let stale = true;
  const refresh = (): Network | undefined => {
    stale = false;
    const http = vscode.workspace.getConfiguration('http');
    const options: NetworkOptions | undefined = networkOptionsFromSettings((key) => http.get(key), process.env);
    const key = JSON.stringify(options ?? null);
    if (built?.key === key) return built.network;
    // In-flight requests finish on the old dispatcher; close() waits for them.
    closeQuietly(built?.network, log);
    const ca = options !== undefined && http.get('systemCertificates') !== false ? trustedCertificates() : undefined;
    const network = options === undefined ? undefined : createNetwork(ca === undefined ? options : { ...options, ca });
    log.info(`[network] ${network === undefined ? "VS Code's own fetch (its proxy resolution and certificates)" : network.description}`);
    built = { key, network };
    return network;
  };
  const listener = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('http')) stale = true;
  });
  return {
    current: () => (stale || built === undefined ? refresh() : built.network),
    dispose: () => {
      listener.dispose();
      closeQuietly(built?.network, log);
      built = undefined;
      stale = true;
    },
  };
}

/** A dispatcher that fails to close has nothing left to lose: say so in the log, never as an unhandled rejection. */
function closeQuietly(network: Network | undefined, log: ChannelLogger): void {
  network?.close().catch((error: unknown) => log.warn(`[network] closing the previous connection pool: ${error instanceof Error ? error.message : String(error)}`));
}
