// The prompt for a commit message: a unified diff (git diff --cached) read into files with their
// stats, bounded to a budget of characters. A diff within the budget goes in whole; a larger one
// keeps the complete file list with +/− counts and the first lines of each file's hunks, and the
// prompt says what was left out. Lock files and binaries go in as stats only. Plain functions,
// without vscode.

export interface DiffFile {
  /** The path after the change (before it, for a deletion). */
  readonly path: string;
  readonly status: 'modified' | 'added' | 'deleted' | 'renamed' | 'binary';
  /** A rename's old path. */
  readonly from?: string;
  readonly added: number;
  readonly removed: number;
  /** Everything from the `diff --git` line on, as git wrote it. */
  readonly text: string;
}

/** Files whose hunks say nothing a commit message needs: their stats are enough. */
const STATS_ONLY = /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|Cargo\.lock|poetry\.lock|uv\.lock|Pipfile\.lock|composer\.lock|Gemfile\.lock|go\.sum|flake\.lock)$/;

function unquote(path: string): string {
  return path.startsWith('"') && path.endsWith('"') ? path.slice(1, -1).replace(/\\(.)/g, '$1') : path;
}

/** The files of a `git diff` output, in order. Text before the first `diff --git` is ignored. */
export function parseDiff(diff: string): DiffFile[] {
  const files: DiffFile[] = [];
  const blocks = diff.split(/^(?=diff --git )/m).filter((block) => block.startsWith('diff --git '));
  for (const text of blocks) {
    const lines = text.split('\n');
    const header = /^diff --git ("?a\/.*?"?) ("?b\/.*"?)$/.exec(lines[0] ?? '');
    let path = header ? unquote(header[2]!).replace(/^b\//, '') : (lines[0] ?? '').slice('diff --git '.length);
    let from: string | undefined;
    let status: DiffFile['status'] = 'modified';
    let added = 0;
    let removed = 0;
    let inHunk = false;
    for (const line of lines.slice(1)) {
      if (!inHunk) {
        if (line.startsWith('new file mode')) status = 'added';
        else if (line.startsWith('deleted file mode')) {
          status = 'deleted';
          if (header) path = unquote(header[1]!).replace(/^a\//, '');
        } else if (line.startsWith('rename from ')) {
          status = 'renamed';
          from = line.slice('rename from '.length);
        } else if (line.startsWith('rename to ')) path = line.slice('rename to '.length);
        else if (line.startsWith('Binary files ') || line === 'GIT binary patch') status = 'binary';
        else if (line.startsWith('@@')) inHunk = true;
        continue;
      }
      if (line.startsWith('+')) added++;
      else if (line.startsWith('-')) removed++;
    }
    files.push({ path, status, ...(from === undefined ? {} : { from }), added, removed, text: text.replace(/\n$/, '') });
  }
  return files;
}

function statLine(file: DiffFile): string {
  const what = file.status === 'renamed' ? `renamed from ${file.from}` : file.status === 'modified' ? '' : file.status;
  return `${file.path}: +${file.added} −${file.removed}${what ? ` (${what})` : ''}`;
}

export interface CommitPrompt {
  readonly text: string;
  readonly files: number;
  /** Diff lines left out to stay within the budget (0: the whole diff is in the prompt). */
  readonly linesCut: number;
}

export interface CommitPromptOptions {
  /** Most characters of diff to include. */
  readonly budgetChars: number;
  /** Where the diff came from, said to the model (e.g. "staged changes"). */
  readonly source: string;
}

const INSTRUCTIONS = [
  'Write the commit message for the change below, in the Conventional Commits style:',
  '- first line: type(optional scope): summary, imperative mood, at most 72 characters; type is one of feat, fix, docs, style, refactor, perf, test, build, ci, chore, revert;',
  '- then, only if the change needs it, a blank line and a short body wrapped at 72 characters that says what changed and why;',
  '- answer with the commit message only: no preamble, no quotes, no code fence.',
].join('\n');

/** A file's diff cut to `maxChars` at a line end, with the number of lines left out. */
function cutFile(file: DiffFile, maxChars: number): { text: string; cut: number } {
  if (file.text.length <= maxChars) return { text: file.text, cut: 0 };
  const lines = file.text.split('\n');
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > maxChars && kept.length > 0) break;
    kept.push(line.length > maxChars ? `${line.slice(0, maxChars)}…` : line);
    used += line.length + 1;
  }
  const cut = lines.length - kept.length;
  return { text: `${kept.join('\n')}\n[… ${cut} more line${cut === 1 ? '' : 's'} of ${file.path} left out]`, cut };
}

/** The prompt for `diff`; throws nothing: an empty diff gives an empty file list. */
export function commitPrompt(diff: string, options: CommitPromptOptions): CommitPrompt {
  const files = parseDiff(diff);
  const totals = files.reduce((sum, f) => ({ added: sum.added + f.added, removed: sum.removed + f.removed }), { added: 0, removed: 0 });
  const listing = files.map(statLine).join('\n');
  const summary = `${files.length} file${files.length === 1 ? '' : 's'} changed, +${totals.added} −${totals.removed} (${options.source}):\n${listing}`;
  const detailed = files.filter((f) => f.status !== 'binary' && !STATS_ONLY.test(f.path));
  const statsOnly = files.length - detailed.length;
  const whole = detailed.reduce((n, f) => n + f.text.length + 1, 0);
  let body: string;
  let linesCut = 0;
  if (whole <= options.budgetChars) {
    body = detailed.map((f) => f.text).join('\n');
  } else {
    // Each file gets an equal share of the budget; what a small file does not use goes to the rest.
    const parts: string[] = [];
    let left = options.budgetChars;
    const bySize = [...detailed].sort((a, b) => a.text.length - b.text.length);
    const shares = new Map<DiffFile, number>();
    bySize.forEach((file, i) => {
      const share = Math.floor(left / (bySize.length - i));
      const given = Math.min(file.text.length, share);
      shares.set(file, given);
      left -= given;
    });
    for (const file of detailed) {
      const { text, cut } = cutFile(file, Math.max(200, shares.get(file) ?? 0));
      parts.push(text);
      linesCut += cut;
    }
    body = parts.join('\n');
  }
  const notes = [
    ...(statsOnly > 0 ? [`Lock files and binary files are listed above by their counts only (${statsOnly}).`] : []),
    ...(linesCut > 0 ? [`The diff was too long to include whole: every file is listed above, and ${linesCut} diff lines were left out below, where marked.`] : []),
  ];
  const text = [INSTRUCTIONS, '', summary, ...(notes.length > 0 ? ['', ...notes] : []), '', 'The diff:', body].join('\n');
  return { text, files: files.length, linesCut };
}

/** The model's answer as a commit message: without a code fence around it, quotes or trailing space. */
export function cleanCommitMessage(answer: string): string {
  let text = answer.trim();
  const fenced = /^```[\w-]*\n([\s\S]*?)\n?```$/.exec(text);
  if (fenced) text = fenced[1]!.trim();
  if (/^"[^"\n]*"$/.test(text)) text = text.slice(1, -1);
  return text.replace(/[ \t]+$/gm, '');
}
