// Subcommand dispatch and the one place that turns errors into exit codes.
import { HarmonyInputError, REASONING_EFFORTS } from '../harmony';
import { CHAT_USAGE, chatCommand } from './chat';
import { DOCTOR_USAGE, doctorCommand } from './doctor';
import { UsageError, processIo, type CliIo } from './io';
import { PARSE_USAGE, parseCommand } from './parse';
import { countCommand, renderCommand } from './render';

type Command = (args: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { readonly run: Command; readonly usage: string }> = {
  render: {
    run: renderCommand,
    usage: `render [FILE] [--date YYYY-MM-DD] [--effort ${REASONING_EFFORTS.join('|')}] [--ids] [--harmony-exact]   chat-completions JSON → Harmony prompt`,
  },
  count: { run: countCommand, usage: 'count [FILE] [--transcript]   o200k_harmony tokens of a text, of a chat request’s rendered prompt, or (--transcript) of a Harmony transcript with literal markup' },
  parse: { run: parseCommand, usage: PARSE_USAGE },
  chat: { run: chatCommand, usage: CHAT_USAGE },
  doctor: { run: doctorCommand, usage: DOCTOR_USAGE },
};

function usage(): string {
  return `usage: harmony <command> …  (FILE defaults to stdin)\n${Object.values(COMMANDS)
    .map((c) => `  harmony ${c.usage}`)
    .join('\n')}\n`;
}

export async function run(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(`harmony: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof HarmonyInputError || isArgError(error)) {
      io.stderr(`harmony ${name}: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
}

/** node:util parseArgs errors (unknown option, missing value) are usage errors. */
function isArgError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
