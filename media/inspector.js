// Webview side of "Inspect Harmony Tokens": draws what the extension sends, asks it to
// highlight a message's range when clicked. Plain DOM; no imports, no inline handlers (CSP).
// @ts-check
(function () {
  // @ts-ignore acquireVsCodeApi is provided by the webview host
  const vscode = acquireVsCodeApi();
  const PAGE = 2000;
  /** @type {{count:number, tokens:{id:number,text:string,special:boolean}[], messages:any[], source:string}|undefined} */
  let data;
  let shown = 0;

  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

  function visible(text) {
    return text.replace(/ /g, '·').replace(/\t/g, '→').replace(/\r/g, '␍').replace(/\n/g, '↵');
  }

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

  function showMoreTokens() {
    if (!data) return;
    const list = $('tokens');
    const end = Math.min(data.tokens.length, shown + PAGE);
    const fragment = document.createDocumentFragment();
    for (let i = shown; i < end; i++) fragment.append(chip(data.tokens[i]));
    list.append(fragment);
    shown = end;
    $('more').hidden = shown >= data.tokens.length;
    $('more').textContent = `Show ${Math.min(PAGE, data.tokens.length - shown)} more tokens (${data.tokens.length - shown} left)`;
  }

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
    for (const note of message.notes || []) {
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

  function render() {
    if (!data) return;
    $('count').textContent = `${data.count.toLocaleString('en-US')} tokens`;
    $('count').dataset.count = String(data.count);
    $('source').textContent = data.source;
    const messages = $('messages');
    messages.replaceChildren(...data.messages.map(messageElement));
    $('message-count').textContent = `${data.messages.length} messages`;
    for (const u of data.unparsed || []) {
      const n = document.createElement('div');
      n.className = 'note unparsed';
      n.textContent = `⚠ text outside any message (${u.note}): ${JSON.stringify(u.text)}`;
      messages.append(n);
    }
    $('tokens').replaceChildren();
    shown = 0;
    showMoreTokens();
  }

  $('more').addEventListener('click', showMoreTokens);
  window.addEventListener('message', (event) => {
    if (event.data && event.data.type === 'update') {
      data = event.data;
      vscode.setState({ source: data.source });
      render();
      vscode.postMessage({ type: 'rendered', count: data.count, messages: data.messages.length });
    }
  });
  vscode.postMessage({ type: 'ready' });
})();
