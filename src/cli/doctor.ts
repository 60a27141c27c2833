// `harmony doctor`: checks one server the way agent mode will use it and prints each finding
// as ✓/⚠/✗ with the fix in one line. Exit 0 when no check failed. The key comes from the
// environment, never argv.
import { parseArgs } from 'node:util';
import { SERVER_KINDS, ServerError, formatReportText, runDoctor, type ServerKind } from '../servers';
import { KEY_ENV, SERVER_ARGS, oneOf, positiveNumber, redactedIo } from './chat';
import { UsageError, type CliIo } from './io';
import { NETWORK_ENV_HELP, cliNetwork } from './network';

export const DOCTOR_USAGE =
  `doctor --url URL [--model M] [--kind ${['auto', ...SERVER_KINDS].join('|')}] [--max-tokens N] [--timeout SECONDS]   checks a server for agent mode: context, stop tokens, tokenizer, chat template, speed, cache (key from $HARMONY_API_KEY; ${NETWORK_ENV_HELP})`;

export async function doctorCommand(args: string[], cliIo: CliIo): Promise<number> {
  const apiKey = process.env[KEY_ENV] || undefined;
  const io = redactedIo(cliIo, apiKey);
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: SERVER_ARGS });
  if (values.url === undefined) throw new UsageError('doctor needs --url (the server, e.g. http://127.0.0.1:8080)');
  if (positionals.length > 0) throw new UsageError(`doctor takes no FILE (got "${positionals[0]}")`);
  const kind = oneOf<ServerKind | 'auto'>('kind', values.kind, ['auto', ...SERVER_KINDS]);
  const outputBudget = positiveNumber('max-tokens', values['max-tokens']);
  const timeout = positiveNumber('timeout', values.timeout);
  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort();
  process.once('SIGINT', onInterrupt);
  const network = cliNetwork();
  try {
    const report = await runDoctor(
      {
        url: values.url,
        network,
        apiKey,
        kind: kind ?? 'auto',
        model: values.model,
        ...(timeout === undefined ? {} : { idleTimeoutMs: timeout * 1000 }),
      },
      { outputBudget, signal: controller.signal },
    );
    io.stdout(`harmony doctor: ${report.url}\n${formatReportText(report)}`);
    return report.passed ? 0 : 1;
  } catch (error) {
    if (error instanceof ServerError && error.kind === 'cancelled') {
      io.stderr('harmony doctor: cancelled\n');
      return 130;
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    await network?.close();
  }
}
