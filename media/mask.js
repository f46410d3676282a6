// Masked word helper panel: candidates with probability bars; clicking one asks the extension
// to put it in the editor. Everything from the model or the note is set as textContent.
(function () {
  const vscode = acquireVsCodeApi();
  const S = JSON.parse(document.body.dataset.strings);
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  const input = el('input'); input.type = 'text'; input.placeholder = S.placeholder; input.setAttribute('aria-label', S.placeholder);
  input.value = 'Soccer is a really fun [MASK].';
  const button = el('button', '', S.predict);
  const row = el('div', 'row'); row.append(input, button);
  const error = el('div', 'error'); error.hidden = true;
  const hint = el('div', 'muted'); hint.hidden = true; hint.textContent = S.apply;
  const list = el('div');
  document.body.append(row, error, hint, list);
  const predict = () => vscode.postMessage({ type: 'predict', text: input.value });
  button.addEventListener('click', predict);
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') predict(); });

  window.addEventListener('message', (ev) => {
    const m = ev.data;
    if (m.type === 'setText') input.value = m.text;
    if (m.type === 'error') { error.hidden = false; error.textContent = m.message; list.replaceChildren(); }
    if (m.type !== 'result') return;
    error.hidden = true; hint.hidden = !m.canApply;
    list.replaceChildren();
    // Bars are relative to the best candidate so small probabilities stay readable.
    const top = Math.max(...m.candidates.map((c) => c.score), 1e-9);
    m.candidates.forEach((c, i) => {
      const row = el('div', 'cand'); row.tabIndex = 0; row.setAttribute('role', 'button');
      const bar = el('div', 'bar'); bar.style.width = `${Math.max(2, Math.round((c.score / top) * 100))}%`;
      const barBox = el('div'); barBox.append(bar);
      row.append(el('span', 'token', c.token), barBox, el('span', '', `${(c.score * 100).toFixed(1)}%`), el('span', 'seq', c.sequence));
      const choose = () => vscode.postMessage({ type: 'apply', index: i });
      row.addEventListener('click', choose);
      row.addEventListener('keydown', (e) => { if (e.key === 'Enter') choose(); });
      list.append(row);
    });
  });
})();
