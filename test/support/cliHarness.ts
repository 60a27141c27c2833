// Runs CLI commands in-process with captured output.
import { run } from '../../src/cli/commands';
import { UsageError, type CliIo } from '../../src/cli/io';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(argv: string[], input: Record<string, string> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    readInput: async (file) => {
      const key = file ?? '-';
      const value = input[key];
      if (value === undefined) throw new UsageError(`no such file: ${key}`);
      return value;
    },
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}
