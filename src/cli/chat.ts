// `harmony chat`: one completion of a chat-completions JSON against a real server,
// printed as the extension would read it (reasoning, answer, tool calls), so a server
// operator can check a setup in one line. stdout = the parsed answer, stderr = what
// was detected, usage and errors. The key comes from the environment, never argv.
import { parseArgs } from 'node:util';
import { renderChatRequest, classify, type MessageHeader, REASONING_EFFORTS, type ReasoningEffort } from '../harmony';
import { ENDPOINT_CHOICES, SERVER_KINDS, ServerError, complete, detect, redactSecrets, type EndpointChoice, type ServerKind, type ServerLogger } from '../servers';
import { UsageError, parseJson, type CliIo } from './io';
import { NETWORK_ENV_HELP, cliNetwork } from './network';

export const CHAT_USAGE =
  `chat --url URL [--model M] [--kind ${['auto', ...SERVER_KINDS].join('|')}] [--endpoint raw|responses|chat] [--effort ${REASONING_EFFORTS.join('|')}] [--max-tokens N] [--timeout SECONDS] [--deadline SECONDS] [--verbose] FILE   one completion against a server (key from $HARMONY_API_KEY; ${NETWORK_ENV_HELP})`;

export const KEY_ENV = 'HARMONY_API_KEY';

export function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be ${allowed.join(', ')}; not "${value}"`);
  return value as T;
}

export function positiveNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, not "${value}"`);
  return n;
}

function label(header: MessageHeader, functionNames: ReadonlyMap<string, string>): string {
  const kind = classify(header, { functionNames });
  switch (kind.kind) {
    case 'functionCall':
      return `tool call ${kind.name}${kind.unknownName ? ' (not an offered tool)' : ''}`;
    case 'builtinCall':
      return `builtin tool call ${kind.recipient} (not offered)`;
    case 'reasoning':
    case 'preamble':
    case 'answer':
      return kind.kind;
    case 'other':
      return `${header.role}${header.name ? ` ${header.name}` : ''}`;
  }
}

/** The CLI's output with the key cut out, whatever prints it (a server may echo the key anywhere). */
/** The options of every command that talks to a server (chat, doctor). */
export const SERVER_ARGS = {
  url: { type: 'string' },
  model: { type: 'string' },
  kind: { type: 'string' },
  'max-tokens': { type: 'string' },
  timeout: { type: 'string' },
} as const;

export function redactedIo(io: CliIo, apiKey: string | undefined): CliIo {
  const secrets = [apiKey];
  return { ...io, stdout: (text) => io.stdout(redactSecrets(text, secrets)), stderr: (text) => io.stderr(redactSecrets(text, secrets)) };
}

export async function chatCommand(args: string[], cliIo: CliIo): Promise<number> {
  const apiKey = process.env[KEY_ENV] || undefined;
  const io = redactedIo(cliIo, apiKey);
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...SERVER_ARGS,
      endpoint: { type: 'string' },
      effort: { type: 'string' },
      deadline: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
  if (values.url === undefined) throw new UsageError('chat needs --url (the server, e.g. http://127.0.0.1:8080)');
  if (positionals.length > 1) throw new UsageError('chat takes one FILE (a chat-completions JSON request)');
  const kind = oneOf<ServerKind | 'auto'>('kind', values.kind, ['auto', ...SERVER_KINDS]);
  const endpoint = oneOf<EndpointChoice>('endpoint', values.endpoint, ENDPOINT_CHOICES);
  const effort = oneOf<ReasoningEffort>('effort', values.effort, REASONING_EFFORTS);
  const maxTokens = positiveNumber('max-tokens', values['max-tokens']);
  const timeout = positiveNumber('timeout', values.timeout);
  const deadline = positiveNumber('deadline', values.deadline);
  const request = parseJson(await io.readInput(positionals[0]), 'the chat request') as Record<string, unknown>;
  // Renders (and so validates) the request before any network traffic; also gives the name map back.
  const rendered = renderChatRequest(request, effort === undefined ? {} : { effort });

  const verbose = values.verbose;
  const logger: ServerLogger = {
    debug: (m) => verbose && io.stderr(`debug ${m}\n`),
    info: (m) => verbose && io.stderr(`${m}\n`),
    warn: (m) => io.stderr(`warning: ${m}\n`),
    error: (m) => io.stderr(`error: ${m}\n`),
  };
  const network = cliNetwork();
  if (network) logger.info(`network: ${network.description}`);
  const config = {
    url: values.url,
    network,
    apiKey,
    kind: kind ?? 'auto',
    endpoint: endpoint ?? 'auto',
    model: values.model,
    logger,
    ...(timeout === undefined ? {} : { idleTimeoutMs: timeout * 1000 }),
    ...(deadline === undefined ? {} : { deadlineMs: deadline * 1000 }),
  } as const;

  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort();
  process.once('SIGINT', onInterrupt);
  let atLineStart = true;
  const out = (text: string): void => {
    if (text === '') return;
    io.stdout(text);
    atLineStart = text.endsWith('\n');
  };
  try {
    const detection = await detect(config, controller.signal);
    io.stderr(`server: ${values.url} is ${detection.kind} (${detection.evidence})\n`);
    for await (const event of complete(config, { prompt: { ids: rendered.ids }, chat: request, maxTokens, reasoningEffort: effort }, controller.signal)) {
      switch (event.type) {
        case 'messageStart':
          if (!atLineStart) out('\n');
          out(`[${label(event.header, rendered.functionNames.fromModel)}]\n`);
          break;
        case 'contentDelta':
          out(event.text);
          break;
        case 'messageEnd':
          if (!atLineStart) out('\n');
          if (event.message.stop === 'truncated') out('[cut short]\n');
          if (verbose && event.message.notes.length > 0) io.stderr(`notes: ${event.message.notes.map((n) => n.message).join('; ')}\n`);
          break;
        case 'unparsed':
          if (!atLineStart) out('\n');
          out(`[unparsed: ${event.note.message}]\n${event.text}\n`);
          break;
        case 'usage':
          io.stderr(`usage: ${event.promptTokens ?? '?'} prompt + ${event.completionTokens ?? '?'} completion tokens\n`);
          break;
        case 'done':
          io.stderr(`done: ${event.finishReason} via the ${event.endpoint} endpoint\n`);
          break;
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof ServerError) {
      if (!atLineStart) out('\n');
      io.stderr(`harmony chat: ${error.message}\n`);
      return error.kind === 'cancelled' ? 130 : 1;
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    await network?.close();
  }
}
