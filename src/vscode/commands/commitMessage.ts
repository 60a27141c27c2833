// "Generate Commit Message with gpt-oss": the staged diff of a git repository (through the
// built-in git extension's API) → commitPrompt.ts → a gpt-oss model through vscode.lm, so the
// request goes through our own provider → the answer streamed into the Source Control input
// box. The button sits in the Source Control view's title bar: VS Code's `scm/inputBox` menu is
// proposed API (contribSourceControlInputBoxMenu), which stable VS Code refuses to extensions.
// While it runs, the button is a stop button; progress shows in the Source Control view.
import * as vscode from 'vscode';
import { displayUrl, type RequestLog } from '../../servers';
import type { ChannelLogger } from '../logger';
import { cleanCommitMessage, commitPrompt } from './commitPrompt';

/** What we use of the git extension's API (extensions/git/src/api/git.d.ts, version 1). */
interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly inputBox: { value: string };
  readonly state: { readonly indexChanges: readonly unknown[]; readonly workingTreeChanges: readonly unknown[] };
  diff(cached?: boolean): Promise<string>;
}

interface GitApi {
  readonly repositories: readonly GitRepository[];
  getRepository(uri: vscode.Uri): GitRepository | null;
}

interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

export const GENERATING_CONTEXT = 'gptOss.generatingCommitMessage';
const VENDOR = 'gpt-oss';
/** Diff characters per input token we allow ourselves (code runs ~3 characters a token), leaving the rest for the answer. */
const CHARS_PER_TOKEN = 2;
const MAX_DIFF_CHARS = 32_000;
const MIN_DIFF_CHARS = 4_000;

async function gitApi(): Promise<GitApi> {
  const extension = vscode.extensions.getExtension<GitExtension>('vscode.git');
  if (extension === undefined) throw new Error('The built-in Git extension is not installed or is disabled.');
  const exports = extension.isActive ? extension.exports : await extension.activate();
  if (!exports.enabled) throw new Error('Git is turned off (git.enabled): turn it on to generate commit messages.');
  return exports.getAPI(1);
}

/** The repository the button belongs to (its argument), else the only one, else the active editor's, else one the user picks. */
async function pickRepository(git: GitApi, argument: unknown): Promise<GitRepository | undefined> {
  const rootUri = (argument as { rootUri?: unknown } | undefined)?.rootUri;
  if (rootUri instanceof vscode.Uri) {
    const repository = git.getRepository(rootUri);
    if (repository) return repository;
  }
  if (git.repositories.length === 1) return git.repositories[0];
  const active = vscode.window.activeTextEditor?.document.uri;
  const fromEditor = active === undefined ? null : git.getRepository(active);
  if (fromEditor) return fromEditor;
  if (git.repositories.length === 0) return undefined;
  const picked = await vscode.window.showQuickPick(
    git.repositories.map((r) => ({ label: vscode.workspace.asRelativePath(r.rootUri), repository: r })),
    { placeHolder: 'Which repository is the commit message for?' },
  );
  return picked?.repository;
}

/** The gpt-oss model of the last request through our provider, else the first one listed. */
async function pickModel(requestLog: RequestLog, isReachable: (modelId: string) => boolean): Promise<vscode.LanguageModelChat | undefined> {
  const models = await vscode.lm.selectChatModels({ vendor: VENDOR });
  const last = requestLog.last();
  const used =
    last === undefined
      ? undefined
      : models.find((m) => {
          const at = m.id.lastIndexOf('@');
          return m.id.slice(0, at) === last.model && displayUrl(m.id.slice(at + 1)) === last.server;
        });
  // A model named for a server that is down stays in the picker; it cannot write the message.
  return used ?? models.find((m) => isReachable(m.id)) ?? models[0];
}

export interface CommitMessageDeps {
  readonly log: ChannelLogger;
  readonly requestLog: RequestLog;
  /** The provider's view: false for a model listed while its server was not reachable. */
  readonly isReachable: (modelId: string) => boolean;
}

export class CommitMessageGenerator implements vscode.Disposable {
  private running: vscode.CancellationTokenSource | undefined;

  constructor(private readonly deps: CommitMessageDeps) {}

  /** The command: generates into the repository's input box; a second call while one runs is ignored. */
  async generate(argument?: unknown): Promise<void> {
    if (this.running) return;
    const source = new vscode.CancellationTokenSource();
    this.running = source;
    void vscode.commands.executeCommand('setContext', GENERATING_CONTEXT, true);
    try {
      await this.run(argument, source.token);
    } catch (error) {
      if (!(error instanceof vscode.CancellationError)) {
        const message = error instanceof Error ? error.message : String(error);
        this.deps.log.warn(`[commit message] ${message}`);
        void vscode.window.showErrorMessage(`Commit message not generated: ${message}`);
      }
    } finally {
      this.running = undefined;
      source.dispose();
      void vscode.commands.executeCommand('setContext', GENERATING_CONTEXT, false);
    }
  }

  /** The stop button. */
  cancel(): void {
    this.running?.cancel();
  }

  dispose(): void {
    this.running?.cancel();
  }

  private async run(argument: unknown, token: vscode.CancellationToken): Promise<void> {
    const git = await gitApi();
    const repository = await pickRepository(git, argument);
    if (repository === undefined) throw new Error('No git repository is open.');
    const staged = await repository.diff(true);
    // Nothing staged: VS Code then commits all changes (smart commit), so those are what to describe.
    const diff = staged.trim() !== '' ? staged : await repository.diff(false);
    if (diff.trim() === '') throw new Error('There are no changes to describe: stage some first.');
    const model = await pickModel(this.deps.requestLog, this.deps.isReachable);
    if (model === undefined) throw new Error('No gpt-oss model is available: add a server in gptOss.servers or the Language Models editor.');
    const budgetChars = Math.max(MIN_DIFF_CHARS, Math.min(MAX_DIFF_CHARS, model.maxInputTokens * CHARS_PER_TOKEN));
    const prompt = commitPrompt(diff, { budgetChars, source: staged.trim() !== '' ? 'staged changes' : 'nothing staged: all changes in the working tree' });
    this.deps.log.info(
      `[commit message] ${prompt.files} file(s), ${prompt.text.length} characters of prompt${prompt.linesCut > 0 ? `, ${prompt.linesCut} diff lines left out` : ''}, model ${model.id}`,
    );
    const before = repository.inputBox.value;
    let streamed = '';
    await vscode.window.withProgress({ location: vscode.ProgressLocation.SourceControl, title: 'Generating commit message with gpt-oss' }, async () => {
      try {
        const response = await model.sendRequest([vscode.LanguageModelChatMessage.User(prompt.text)], { justification: 'Writes a commit message for your changes.' }, token);
        for await (const part of response.text) {
          streamed += part;
          repository.inputBox.value = streamed.trimStart();
        }
      } catch (error) {
        // What streamed stays (cancelled or failed); with nothing streamed the box gets its text back.
        if (streamed.trim() === '') repository.inputBox.value = before;
        if (token.isCancellationRequested) throw new vscode.CancellationError();
        throw error;
      }
    });
    if (token.isCancellationRequested) return;
    const message = cleanCommitMessage(streamed);
    if (message === '') {
      repository.inputBox.value = before;
      throw new Error(`${model.name} answered with no text (only reasoning?). Try again, or raise gptOss.maxOutputTokens.`);
    }
    repository.inputBox.value = message;
  }
}
