// Masked word helper panel: candidates with probability bars; clicking one (or Enter on it) asks
// the extension to put it in the editor. Everything from the model or the note is textContent.
// @ts-check
(function () {
  // @ts-ignore acquireVsCodeApi is provided by the webview host
  const vscode = acquireVsCodeApi();
  const S = JSON.parse(document.body.dataset.strings || '{}');
  /** @param {string} tag @param {string} [cls] @param {string} [text] */
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  const saved = vscode.getState() || {};

  const input = /** @type {HTMLInputElement} */ (el('input'));
  input.type = 'text'; input.placeholder = S.placeholder; input.setAttribute('aria-label', S.placeholder);
  input.value = typeof saved.text === 'string' ? saved.text : 'Soccer is a really fun [MASK].';
  const button = el('button', '', S.predict);
  const row = el('div', 'row grow'); row.append(input, button);
  const error = el('div', 'error'); error.hidden = true; error.setAttribute('role', 'alert');
  const hint = el('div', 'muted'); hint.hidden = true;
  const list = el('div', 'cands'); list.setAttribute('role', 'listbox');
  document.body.append(row, error, hint, list);

  const predict = () => {
    vscode.setState({ text: input.value });
    if (!input.value.includes('[MASK]')) { error.hidden = false; error.textContent = S.needMask; return; }
    vscode.postMessage({ type: 'predict', text: input.value.slice(0, 2000) });
  };
  button.addEventListener('click', predict);
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') predict(); });

  window.addEventListener('message', (ev) => {
    const m = ev.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'setText') { input.value = String(m.text); vscode.setState({ text: input.value }); return; }
    if (m.type === 'error') { error.hidden = false; error.textContent = String(m.message); list.replaceChildren(); hint.hidden = true; return; }
    if (m.type === 'applied') { [...list.children].forEach((c, i) => c.classList.toggle('chosen', i === m.index)); return; }
    if (m.type !== 'result' || !Array.isArray(m.candidates)) return;
    error.hidden = true;
    hint.hidden = !m.hint; hint.textContent = m.hint || '';
    list.replaceChildren();
    // Bars are relative to the best candidate so small probabilities stay readable; the label
    // gives the probability itself.
    const top = Math.max(...m.candidates.map((/** @type {any} */ c) => Number(c.score)), 1e-9);
    m.candidates.forEach((/** @type {any} */ c, /** @type {number} */ i) => {
      const item = el('div', 'cand'); item.tabIndex = 0; item.setAttribute('role', 'option');
      const bar = el('div', 'bar'); bar.style.width = `${Math.max(2, Math.round((Number(c.score) / top) * 100))}%`;
      const barBox = el('div', 'barbox'); barBox.append(bar);
      item.append(el('span', 'token', String(c.token)), barBox, el('span', 'prob', `${(Number(c.score) * 100).toFixed(1)}%`), el('span', 'seq', String(c.sequence)));
      const choose = () => vscode.postMessage({ type: 'apply', index: i });
      item.addEventListener('click', choose);
      item.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); choose(); }
        else if (e.key === 'ArrowDown') { e.preventDefault(); /** @type {HTMLElement|null} */ (item.nextElementSibling)?.focus(); }
        else if (e.key === 'ArrowUp') { e.preventDefault(); /** @type {HTMLElement|null} */ (item.previousElementSibling)?.focus(); }
      });
      list.append(item);
    });
    const injected = list.querySelectorAll('script, img, iframe, object, embed, a, style, link, svg, form, input, textarea').length;
    vscode.postMessage({ type: 'rendered', injected, text: `${input.value}\n${(list.textContent || '')}`.slice(0, 20000) });
  });
  vscode.postMessage({ type: 'ready' });
})();
