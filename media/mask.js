// Masked word helper panel: candidates with probability bars, each shown in the user's own
// sentence; clicking one (or Enter on it) asks the extension to put it in the editor. Suggests as
// the user types once a whole [MASK] is in the text; a half-typed "[MAS" sends nothing, and the
// extension never sends the typed text back, so nothing rewrites the input mid-typing. Everything
// from the model or the note is textContent.
// @ts-check
(function () {
  /** @typedef {import('../src/extension/webviews/messages').ToMaskPage} ToPage */
  /** @typedef {import('../src/extension/webviews/messages').FromMaskPage} FromPage */
  /** The webview host's API; every message posted must be one the extension accepts. */
  const api = acquireVsCodeApi();
  const vscode = {
    /** @param {FromPage} m */
    postMessage(m) { api.postMessage(m); },
    /** @returns {any} */
    getState() { return api.getState(); },
    /** @param {unknown} s */
    setState(s) { api.setState(s); },
  };
  const S = JSON.parse(document.body.dataset.strings || '{}');
  /** @param {string} tag @param {string} [cls] @param {string} [text] */
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  const saved = vscode.getState() || {};
  const MASK = '[MASK]';

  const input = /** @type {HTMLInputElement} */ (el('input'));
  input.type = 'text'; input.placeholder = S.placeholder; input.setAttribute('aria-label', S.placeholder);
  input.value = typeof saved.text === 'string' ? saved.text : 'Soccer is a really fun [MASK].';
  const button = el('button', '', S.predict);
  const row = el('div', 'row grow'); row.append(input, button);
  const error = el('div', 'error'); error.hidden = true; error.setAttribute('role', 'alert');
  const missing = el('div', 'missing'); missing.hidden = true; missing.setAttribute('role', 'alert');
  const missingDetail = el('div', 'muted small');
  const download = /** @type {HTMLButtonElement} */ (el('button', '', S.download));
  const downloadNote = el('span', 'muted');
  const downloadRow = el('div', 'row'); downloadRow.append(download, downloadNote);
  missing.append(el('div', 'missing-title', S.missingTitle), el('div', '', S.missingWhy), missingDetail, downloadRow);
  const hint = el('div', 'muted'); hint.hidden = true;
  const list = el('div', 'cands'); list.setAttribute('role', 'listbox'); list.setAttribute('aria-label', S.candidates);
  document.body.append(row, error, missing, hint, list);

  /** The text whose answer the page waits for: answers for any other text are stale. */
  let expected = '';
  /** @type {ReturnType<typeof setTimeout> | undefined} */ let timer;

  /** @param {boolean} explicit the user pressed Enter or Suggest (else: typing) */
  const predict = (explicit) => {
    clearTimeout(timer);
    const text = input.value.slice(0, 2000);
    vscode.setState({ text: input.value });
    if (!text.includes(MASK)) {
      // While typing, "[MAS" is just unfinished: say nothing until the user asks.
      if (explicit) { error.hidden = false; error.textContent = S.needMask; }
      return;
    }
    if (!explicit && text === expected) return;
    error.hidden = true;
    expected = text;
    list.classList.add('stale');
    vscode.postMessage({ type: 'predict', text });
  };
  button.addEventListener('click', () => predict(true));
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') predict(true); });
  input.addEventListener('input', () => { vscode.setState({ text: input.value }); clearTimeout(timer); timer = setTimeout(() => predict(false), 450); });
  download.addEventListener('click', () => { download.disabled = true; downloadNote.textContent = S.downloading; vscode.postMessage({ type: 'download' }); });

  /** @param {any} c @param {number} i @param {number} top */
  const candidate = (c, i, top) => {
    const item = el('div', 'cand'); item.tabIndex = 0; item.setAttribute('role', 'option');
    const bar = el('div', 'bar'); bar.style.width = `${Math.max(2, Math.round((Number(c.score) / top) * 100))}%`;
    const barBox = el('div', 'barbox'); barBox.append(bar); barBox.title = `${S.probability} ${(Number(c.score) * 100).toFixed(2)}%`;
    // The user's own sentence, the candidate in place of the mask.
    const seq = el('span', 'seq'); seq.append(document.createTextNode(String(c.before)), el('b', 'fill', String(c.token)), document.createTextNode(String(c.after)));
    item.append(el('span', 'token', String(c.token)), barBox, el('span', 'prob', `${(Number(c.score) * 100).toFixed(1)}%`), seq);
    const choose = () => vscode.postMessage({ type: 'apply', index: i });
    item.addEventListener('click', choose);
    item.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); choose(); }
      else if (e.key === 'ArrowDown') { e.preventDefault(); /** @type {HTMLElement|null} */ (item.nextElementSibling)?.focus(); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); /** @type {HTMLElement|null} */ (item.previousElementSibling)?.focus(); }
    });
    return item;
  };

  const report = () => {
    const risky = 'script, img, iframe, object, embed, a, style, link, svg, form, input, textarea';
    const injected = list.querySelectorAll(risky).length + missingDetail.querySelectorAll(risky).length;
    const detail = JSON.stringify({
      input: input.value,
      candidates: [...list.querySelectorAll('.cand')].map((c) => ({ token: c.querySelector('.token')?.textContent, sentence: c.querySelector('.seq')?.textContent })),
      missing: missing.hidden ? null : missing.innerText,
      downloadButton: missing.hidden ? null : download.textContent,
    });
    vscode.postMessage({ type: 'rendered', injected, text: `${input.value}\n${(list.textContent || '')}\n${missing.hidden ? '' : missing.textContent}`.slice(0, 20000), detail });
  };

  window.addEventListener('message', (ev) => {
    /** @type {ToPage} */
    const m = ev.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'setText') { clearTimeout(timer); input.value = String(m.text); expected = input.value; vscode.setState({ text: input.value }); return; }
    if (m.type === 'downloading') { missing.hidden = false; download.disabled = true; downloadNote.textContent = S.downloading; return; }
    if (m.type === 'downloadFailed') { download.disabled = false; downloadNote.textContent = S.downloadFailed; return; }
    if (m.type === 'applied') { [...list.children].forEach((c, i) => c.classList.toggle('chosen', i === m.index)); return; }
    // An answer for text the user has typed past is stale: a newer request is on its way.
    if (typeof m.text === 'string' && m.text !== expected) return;
    list.classList.remove('stale');
    if (m.type === 'error') { error.hidden = false; error.textContent = String(m.message); missing.hidden = true; list.replaceChildren(); hint.hidden = true; report(); return; }
    if (m.type === 'modelMissing') {
      error.hidden = true; hint.hidden = true; list.replaceChildren();
      missing.hidden = false; missingDetail.textContent = String(m.detail || ''); download.disabled = false; downloadNote.textContent = '';
      report();
      return;
    }
    if (m.type !== 'result' || !Array.isArray(m.candidates)) return;
    error.hidden = true; missing.hidden = true;
    hint.hidden = !m.hint; hint.textContent = m.hint || '';
    // Bars are relative to the best candidate so small probabilities stay readable; the label
    // gives the probability itself.
    const top = Math.max(...m.candidates.map((/** @type {any} */ c) => Number(c.score)), 1e-9);
    list.replaceChildren(...m.candidates.map((/** @type {any} */ c, /** @type {number} */ i) => candidate(c, i, top)));
    report();
  });
  vscode.postMessage({ type: 'ready' });
})();
