// The output channel as a ChannelLogger (it is also the ServerLogger the transports take),
// with secrets scrubbed from every line: a key must never reach a log, even inside a server's error text.
import type * as vscode from 'vscode';
import { redactSecrets } from '../servers';

export interface ChannelLogger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(channel: vscode.LogOutputChannel, secrets: () => Iterable<string>): ChannelLogger {
  const scrub = (message: string): string => redactSecrets(message, secrets());
  return {
    trace: (m) => channel.trace(scrub(m)),
    debug: (m) => channel.debug(scrub(m)),
    info: (m) => channel.info(scrub(m)),
    warn: (m) => channel.warn(scrub(m)),
    error: (m) => channel.error(scrub(m)),
  };
}
