// `harmony` command line: render | count (| parse | chat as they land). stdout = data, stderr = diagnostics.
import { run } from './commands';

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`harmony: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
