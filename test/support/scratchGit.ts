// A real git repository in a temporary folder for tests: one commit of `committed`, then
// `changed` written and staged (git add), as a user leaves it before asking for a message.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ScratchRepository {
  readonly dir: string;
  /** Runs git in the repository and returns its stdout. */
  git(...args: string[]): string;
  remove(): void;
}

export function scratchGitRepository(committed: Readonly<Record<string, string>>, changed: Readonly<Record<string, string>> = {}): ScratchRepository {
  const dir = mkdtempSync(join(tmpdir(), 'gpt-oss-git-'));
  const git = (...args: string[]): string => execFileSync('git', ['-c', 'core.quotepath=false', ...args], { cwd: dir, encoding: 'utf8' });
  const write = (files: Readonly<Record<string, string>>): void => {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  };
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.invalid');
  git('config', 'user.name', 'test');
  write(committed);
  git('add', '-A');
  git('commit', '-qm', 'base');
  if (Object.keys(changed).length > 0) {
    write(changed);
    git('add', '-A');
  }
  return { dir, git, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
