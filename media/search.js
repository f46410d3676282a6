// Sidebar search view. All note text is inserted with textContent (never innerHTML), so markup
// inside a note shows as text.
(function () {
  const vscode = acquireVsCodeApi();
  const S = JSON.parse(document.body.dataset.strings);
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  const state = vscode.getState() || { query: '', mode: S.mode || 'hybrid', rerank: !!S.rerankOn };

  const input = el('input'); input.type = 'text'; input.placeholder = S.placeholder; input.value = state.query; input.setAttribute('aria-label', S.placeholder);
  const mode = el('select'); for (const m of ['hybrid', 'semantic', 'keyword']) { const o = el('option', '', S[m]); o.value = m; mode.append(o); } mode.value = state.mode;
  const rerankBox = el('input'); rerankBox.type = 'checkbox'; rerankBox.checked = state.rerank; rerankBox.id = 'rerank';
  const rerankLabel = el('label', '', S.rerank); rerankLabel.htmlFor = 'rerank';
  const row = el('div', 'row'); row.append(mode, rerankBox, rerankLabel);
  const error = el('div', 'error'); error.hidden = true;
  const list = el('ul', 'results'); list.setAttribute('role', 'listbox');
  document.body.append(input, row, error, list);

  let timer; let active = -1;
  const save = () => vscode.setState({ query: input.value, mode: mode.value, rerank: rerankBox.checked });
  const send = () => { clearTimeout(timer); save(); timer = setTimeout(() => vscode.postMessage({ type: 'search', query: input.value, mode: mode.value, rerank: rerankBox.checked }), 200); };
  input.addEventListener('input', send); mode.addEventListener('change', send); rerankBox.addEventListener('change', send);
  const setActive = (i) => { const items = list.children; if (!items.length) return; active = Math.max(0, Math.min(items.length - 1, i)); [...items].forEach((li, j) => li.classList.toggle('active', j === active)); items[active].focus(); };
  document.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); setActive(active + 1); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); if (active <= 0) { active = -1; input.focus(); } else setActive(active - 1); }
    else if (e.key === 'Enter' && active >= 0) { e.preventDefault(); vscode.postMessage({ type: 'open', index: active }); }
  });

  // Query words highlighted with <mark> elements built node by node.
  function highlighted(text, query) {
    const frag = document.createDocumentFragment();
    const words = query.toLowerCase().split(/[\s\p{P}]+/u).filter((w) => w.length > 1);
    const lower = text.toLowerCase();
    let i = 0;
    while (i < text.length) {
      let best = -1, len = 0;
      for (const w of words) { const j = lower.indexOf(w, i); if (j >= 0 && (best < 0 || j < best)) { best = j; len = w.length; } }
      if (best < 0) { frag.append(document.createTextNode(text.slice(i))); break; }
      frag.append(document.createTextNode(text.slice(i, best)), el('mark', '', text.slice(best, best + len)));
      i = best + len;
    }
    return frag;
  }

  window.addEventListener('message', (ev) => {
    const m = ev.data;
    if (m.type === 'setQuery') { input.value = m.query; send(); }
    if (m.type === 'error') { error.hidden = false; error.textContent = m.message; }
    if (m.type !== 'results') return;
    error.hidden = true; list.replaceChildren(); active = -1;
    if (m.query && input.value !== m.query && document.activeElement !== input) { input.value = m.query; save(); }
    if (!m.hits.length && m.query) list.append(el('li', 'muted', S.none));
    m.hits.forEach((h, i) => {
      const li = el('li'); li.tabIndex = 0; li.setAttribute('role', 'option');
      li.append(el('div', 'heading', h.heading || h.path), el('div', 'path', `${h.path}:${h.startLine} · ${h.score.toFixed(3)}`));
      const snip = el('div', 'snippet'); snip.append(highlighted(h.snippet, m.query)); li.append(snip);
      li.addEventListener('click', () => vscode.postMessage({ type: 'open', index: i }));
      list.append(li);
    });
  });
  if (state.query) send();
})();
