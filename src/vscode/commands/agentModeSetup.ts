// "Harmony: Set Up Agent Mode": the two chat settings that let agent mode use a gpt-oss model
// without a GitHub sign-in (docs/testing.md, "Agent mode without a sign-in"). The command says
// what it will change and why in a modal, and writes the user settings only when the user agrees;
// the first time gpt-oss models are offered while those settings would block them, a notification
// offers the command, once (remembered in globalState). Nothing is ever changed silently.
import { applyEdits, modify } from 'jsonc-parser';
import * as vscode from 'vscode';

export const SET_UP_AGENT_MODE_COMMAND = 'gptOss.setUpAgentMode';
const OFFERED_KEY = 'gptOss.agentModeSetupOffered';
export const CHANGE_SETTINGS = 'Change Settings';
export const SET_UP = 'Set Up Agent Mode…';

interface ChatSetting {
  /** Under `chat.`. */
  readonly name: string;
  readonly wanted: unknown;
  readonly why: string;
  /**
   * Left alone where this VS Code does not declare it (a version before it existed). False for a
   * setting the workbench reads without declaring it to extensions (`included: false` in its schema).
   */
  readonly onlyIfDeclared: boolean;
}

const AGENT_MODE_SETTINGS: readonly ChatSetting[] = [
  {
    name: 'allowAnonymousAccess',
    wanted: true,
    why: 'Without it, a prompt sent while signed out of GitHub opens "Sign in to use GitHub Copilot" and never reaches your model.',
    onlyIfDeclared: false,
  },
  {
    name: 'byokUtilityModelDefault',
    wanted: 'mainAgent',
    why: 'Chat titles, progress messages and summaries then go to your gpt-oss model too. VS Code otherwise asks Copilot models for them, and signed out, agent mode stops with "No utility model is configured…".',
    onlyIfDeclared: true,
  },
];

export interface PendingChange {
  readonly setting: string;
  readonly current: unknown;
  readonly wanted: unknown;
  readonly why: string;
}

/** The settings that are not yet what agent mode needs; one this VS Code does not declare is left alone. */
export function pendingChanges(): PendingChange[] {
  const chat = vscode.workspace.getConfiguration('chat');
  return AGENT_MODE_SETTINGS.flatMap(({ name, wanted, why, onlyIfDeclared }) => {
    if (onlyIfDeclared && chat.inspect(name)?.defaultValue === undefined) return [];
    const current = chat.get(name) ?? false;
    return current === wanted ? [] : [{ setting: `chat.${name}`, current, wanted, why }];
  });
}

function describe(changes: readonly PendingChange[]): string {
  const lines = changes.map((c) => `${c.setting}: ${JSON.stringify(c.current)} → ${JSON.stringify(c.wanted)}\n${c.why}`);
  return `${lines.join('\n\n')}\n\nBoth are written to your user settings; nothing else changes.`;
}

/** Shows the changes in a modal; writes them only on "Change Settings". Returns whether it wrote. */
export async function setUpAgentModeCommand(): Promise<boolean> {
  const changes = pendingChanges();
  if (changes.length === 0) {
    void vscode.window.showInformationMessage('Agent mode is already set up for gpt-oss: chat.allowAnonymousAccess is true and chat.byokUtilityModelDefault is "mainAgent".');
    return false;
  }
  const choice = await vscode.window.showInformationMessage('Set up agent mode for gpt-oss models?', { modal: true, detail: describe(changes) }, CHANGE_SETTINGS);
  if (choice !== CHANGE_SETTINGS) return false;
  const chat = vscode.workspace.getConfiguration('chat');
  const refused: PendingChange[] = [];
  for (const change of changes) {
    try {
      await chat.update(change.setting.slice('chat.'.length), change.wanted, vscode.ConfigurationTarget.Global);
    } catch {
      // VS Code writes only settings it declares to extensions; chat.allowAnonymousAccess it reads without declaring.
      refused.push(change);
    }
  }
  const openedFile = refused.length > 0;
  if (openedFile) await writeInSettingsJson(refused);
  void vscode.window.showInformationMessage(
    `Agent mode is set up: ${changes.map((c) => c.setting).join(' and ')} changed in your user settings${openedFile ? ' (settings.json is open)' : ''}. Reload the window if chat still asks you to sign in.`,
  );
  return true;
}

/**
 * Sets the settings in the user settings.json as one edit in its open editor, then saves it. The
 * text comes from jsonc-parser (comments, nesting and formatting respected); a file with unsaved
 * changes of the user's is left alone, since saving ours would save theirs too.
 */
async function writeInSettingsJson(changes: readonly PendingChange[]): Promise<void> {
  const keys = changes.map((c) => c.setting).join(' and ');
  await vscode.commands.executeCommand('workbench.action.openSettingsJson');
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined || !editor.document.uri.path.endsWith('/settings.json')) throw new Error(`Could not open the user settings.json to set ${keys}.`);
  const document = editor.document;
  if (document.isDirty) throw new Error(`settings.json has unsaved changes: save or revert them, then run Harmony: Set Up Agent Mode again (it sets ${keys}).`);
  const before = document.getText();
  const formattingOptions = { insertSpaces: editor.options.insertSpaces !== false, tabSize: Number(editor.options.tabSize) || 2, eol: '\n' };
  const after = changes.reduce((text, c) => applyEdits(text, modify(text, [c.setting], c.wanted, { formattingOptions })), before);
  await editor.edit((edit) => edit.replace(new vscode.Range(document.positionAt(0), document.positionAt(before.length)), after));
  await document.save();
}

/**
 * Returns the trigger the provider calls when it offers or serves gpt-oss models: the first time
 * the settings would block agent mode, a notification offers the command. Never again after that.
 */
export function agentModeSetupOffer(state: vscode.Memento, log: (message: string) => void): () => void {
  let offered = state.get<boolean>(OFFERED_KEY) === true;
  return () => {
    if (offered) return;
    const changes = pendingChanges();
    if (changes.length === 0) return;
    offered = true;
    void state.update(OFFERED_KEY, true);
    log(`agent mode would be blocked (${changes.map((c) => `${c.setting} is ${JSON.stringify(c.current)}`).join(', ')}): offering Harmony: Set Up Agent Mode, once`);
    void vscode.window
      .showInformationMessage('To use gpt-oss models in agent mode without a GitHub sign-in, two chat settings need changing.', SET_UP, 'Not Now')
      .then((choice) => (choice === SET_UP ? vscode.commands.executeCommand(SET_UP_AGENT_MODE_COMMAND) : undefined));
  };
}
