// @ts-check
// Webview side of "Inspect Harmony Tokens": paints the count and the messages as soon as the
// summary arrives, then the token chips as their batches come in (a page at a time); asks the
// extension to select a message's range when it is clicked. Plain DOM; no inline handlers (CSP).
// The messages are typed once, in src/vscode/inspector/inspectorProtocol.ts (checked by tsconfig.webview.json).

/** @typedef {import('../src/vscode/inspector/inspectorProtocol').ToWebview} ToWebview */
/** @typedef {import('../src/vscode/inspector/inspectorProtocol').FromWebview} FromWebview */
/** @typedef {import('../src/vscode/inspector/inspectorProtocol').WebviewToken} WebviewToken */
/** @typedef {import('../src/vscode/inspector/inspectorProtocol').WebviewMessage} WebviewMessage */

(function () {
  /** @type {VsCodeWebviewApi<FromWebview, { source: string }>} */
  const vscode = acquireVsCodeApi();
  const PAGE = 2000;
  /** Chips received for the current summary, in order. */
  /** @type {WebviewToken[]} */
  let chips = [];
  /** Chips on screen. */
  let shown = 0;

  /** @param {string} id */
  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

  /** @param {string} text */
  function visible(text) {
    return text.replace(/ /g, '·').replace(/\t/g, '→').replace(/\r/g, '␍').replace(/\n/g, '↵');
  }

  /** @param {WebviewToken} token */
  function chip(token) {
    const el = document.createElement('span');
    el.className = token.special ? 'chip special' : 'chip';
    const text = document.createElement('span');
    text.className = /^\s+$/.test(token.text) ? 'text ws' : 'text';
    text.textContent = token.special ? token.text : visible(token.text);
    const id = document.createElement('span');
    id.className = 'id';
    id.textContent = String(token.id);
    el.append(text, id);
    el.title = `${token.id}: ${JSON.stringify(token.text)}`;
    return el;
  }

  /**
   * Draws received chips up to `limit`; the button offers the next page of what has arrived.
   * @param {number} limit
   */
  function showChips(limit) {
    const end = Math.min(chips.length, limit);
    const fragment = document.createDocumentFragment();
    for (let i = shown; i < end; i++) fragment.append(chip(/** @type {WebviewToken} */ (chips[i])));
    $('tokens').append(fragment);
    shown = Math.max(shown, end);
    const more = $('more');
    more.hidden = shown >= chips.length;
    more.textContent = `Show ${Math.min(PAGE, chips.length - shown)} more tokens (${chips.length - shown} left)`;
  }

  /**
   * @param {WebviewMessage} message
   * @param {number} index
   */
  function messageElement(message, index) {
    const el = document.createElement('div');
    el.className = `message channel-${message.channel || 'none'}`;
    el.tabIndex = 0;
    el.dataset.index = String(index);
    el.dataset.role = message.role || '';
    el.dataset.channel = message.channel || '';
    el.dataset.recipient = message.recipient || '';
    el.dataset.contentType = message.contentType || '';
    const header = document.createElement('div');
    header.className = 'header';
    const parts = [message.role + (message.name ? `:${message.name}` : '')];
    if (message.channel) parts.push(`channel=${message.channel}`);
    if (message.recipient) parts.push(`to=${message.recipient}`);
    if (message.contentType) parts.push(`type=${message.contentType}`);
    parts.push(`(${message.stop})`);
    header.textContent = parts.join('  ');
    const content = document.createElement('div');
    content.className = 'content';
    content.textContent = message.content;
    el.append(header, content);
    for (const note of message.notes) {
      const n = document.createElement('div');
      n.className = 'note';
      n.textContent = `⚠ ${note}`;
      el.append(n);
    }
    const reveal = () => vscode.postMessage({ type: 'reveal', index });
    el.addEventListener('click', reveal);
    el.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') reveal();
    });
    return el;
  }

  /** @param {Extract<ToWebview, { type: 'summary' }>} summary */
  function paintSummary(summary) {
    $('count').textContent = `${summary.count.toLocaleString('en-US')} tokens`;
    $('count').dataset.count = String(summary.count);
    $('source').textContent = summary.source;
    $('message-count').textContent = `${summary.messages.length} messages`;
    const messages = $('messages');
    messages.replaceChildren(...summary.messages.map(messageElement));
    for (const u of summary.unparsed) {
      const n = document.createElement('div');
      n.className = 'note unparsed';
      n.textContent = `⚠ text outside any message (${u.note}): ${JSON.stringify(u.text)}`;
      messages.append(n);
    }
    chips = [];
    shown = 0;
    $('tokens').replaceChildren();
    $('more').hidden = true;
    vscode.setState({ source: summary.source });
    // In the DOM now; the browser paints it when this handler returns.
    vscode.postMessage({ type: 'painted', count: summary.count, messages: summary.messages.length });
  }

  /** @param {Extract<ToWebview, { type: 'chips' }>} batch */
  function addChips(batch) {
    // A batch of an older summary (the document changed meanwhile) does not fit: drop it.
    if (batch.start !== chips.length) return;
    chips = chips.concat(batch.tokens);
    showChips(Math.max(shown, PAGE));
    vscode.postMessage({ type: 'chipsReceived', received: chips.length });
  }

  $('more').addEventListener('click', () => showChips(shown + PAGE));
  window.addEventListener('message', (event) => {
    /** @type {ToWebview} */
    const message = event.data;
    if (message.type === 'summary') paintSummary(message);
    else if (message.type === 'chips') addChips(message);
  });
  vscode.postMessage({ type: 'ready' });
})();
