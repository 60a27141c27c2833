// "Inspect Harmony Tokens": a webview with the token count, every token as a chip, and
// the messages our parser reads from the text (with its recovery notes). Clicking a
// message selects its range in the editor. Follows the document as it changes.
import * as vscode from 'vscode';
import { inspectTranscript, type TranscriptInspection } from '../harmony/inspect';

const DEBOUNCE_MS = 300;

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length: 32 }, () => chars[Math.floor(Math.random() * chars.length)]).join('');
}

function html(webview: vscode.Webview, media: vscode.Uri): string {
  const n = nonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'inspector.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'inspector.css'));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Harmony Tokens</title>
</head>
<body>
<header><span id="count">…</span><span id="message-count" class="muted"></span><span id="source" class="muted"></span></header>
<h2>Messages</h2>
<div id="messages"></div>
<h2>Tokens</h2>
<div id="tokens" class="tokens"></div>
<button id="more" hidden></button>
<script nonce="${n}" src="${script}"></script>
</body>
</html>`;
}

export interface InspectorHandle {
  readonly panel: vscode.WebviewPanel;
  /** The last inspection sent to the webview (tests compare it with the CLI). */
  readonly current: () => TranscriptInspection | undefined;
  /** Resolves when the webview has drawn the latest update. */
  readonly rendered: () => Promise<{ count: number; messages: number }>;
}

let open: InspectorHandle | undefined;

export function openInspector(extensionUri: vscode.Uri): InspectorHandle | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showWarningMessage('Open a file (or select text) to inspect its Harmony tokens.');
    return undefined;
  }
  const document = editor.document;
  const useSelection = !editor.selection.isEmpty;
  const rangeStart = useSelection ? document.offsetAt(editor.selection.start) : 0;
  const media = vscode.Uri.joinPath(extensionUri, 'media');
  open?.panel.dispose();
  const panel = vscode.window.createWebviewPanel('gptOss.inspector', `Tokens: ${document.fileName.split(/[\\/]/).pop() ?? 'untitled'}`, vscode.ViewColumn.Beside, {
    enableScripts: true,
    localResourceRoots: [media],
    retainContextWhenHidden: true,
  });
  panel.webview.html = html(panel.webview, media);

  let inspection: TranscriptInspection | undefined;
  let ready = false;
  let waiters: ((value: { count: number; messages: number }) => void)[] = [];
  let lastRendered: { count: number; messages: number } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const post = (): void => {
    if (!ready || !inspection) return;
    void panel.webview.postMessage({
      type: 'update',
      source: useSelection ? `selection of ${vscode.workspace.asRelativePath(document.uri)}` : vscode.workspace.asRelativePath(document.uri),
      ...inspection,
    });
  };
  const update = (): void => {
    const text = useSelection ? document.getText(editor.selection) : document.getText();
    inspection = inspectTranscript(text);
    lastRendered = undefined;
    post();
  };

  const disposables: vscode.Disposable[] = [
    panel.webview.onDidReceiveMessage((message: { type: string; index?: number; count?: number; messages?: number }) => {
      if (message.type === 'ready') {
        ready = true;
        post();
      } else if (message.type === 'rendered') {
        lastRendered = { count: message.count ?? 0, messages: message.messages ?? 0 };
        const done = waiters;
        waiters = [];
        for (const resolve of done) resolve({ count: message.count ?? 0, messages: message.messages ?? 0 });
      } else if (message.type === 'reveal' && inspection && message.index !== undefined) {
        const m = inspection.messages[message.index];
        if (!m) return;
        const range = new vscode.Range(document.positionAt(rangeStart + m.start), document.positionAt(rangeStart + m.end));
        void vscode.window.showTextDocument(document, { viewColumn: editor.viewColumn, selection: range, preserveFocus: false });
      }
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document !== document || useSelection) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(update, DEBOUNCE_MS);
    }),
  ];
  panel.onDidDispose(() => {
    if (timer) clearTimeout(timer);
    for (const d of disposables) d.dispose();
    if (open?.panel === panel) open = undefined;
  });

  update();
  open = {
    panel,
    current: () => inspection,
    rendered: () => new Promise((resolve) => (lastRendered ? resolve(lastRendered) : waiters.push(resolve))),
  };
  return open;
}

