// Sidebar search view. Note text is only ever inserted as text nodes (textContent), never parsed
// as HTML, so markup inside a note shows as the characters it is.
// @ts-check
(function () {
  /** @typedef {import('../src/extension/webviews/messages').ToSearchPage} ToPage */
  /** @typedef {import('../src/extension/webviews/messages').FromSearchPage} FromPage */
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
  const state = vscode.getState() || { query: '', mode: S.mode || 'hybrid', rerank: !!S.rerankOn };

  const input = /** @type {HTMLInputElement} */ (el('input'));
  input.type = 'search'; input.placeholder = S.placeholder; input.value = state.query; input.setAttribute('aria-label', S.placeholder);
  const mode = /** @type {HTMLSelectElement} */ (el('select'));
  mode.setAttribute('aria-label', S.modeLabel);
  for (const m of ['hybrid', 'semantic', 'keyword']) { const o = /** @type {HTMLOptionElement} */ (el('option', '', S[m])); o.value = m; mode.append(o); }
  mode.value = state.mode;
  const rerankBox = /** @type {HTMLInputElement} */ (el('input')); rerankBox.type = 'checkbox'; rerankBox.checked = state.rerank; rerankBox.id = 'rerank';
  const rerankLabel = /** @type {HTMLLabelElement} */ (el('label', '', S.rerank)); rerankLabel.htmlFor = 'rerank';
  const row = el('div', 'row'); row.append(mode, rerankBox, rerankLabel);
  const notice = el('div', 'notice'); notice.hidden = true;
  const error = el('div', 'error'); error.hidden = true; error.setAttribute('role', 'alert');
  const list = el('ul', 'results'); list.setAttribute('role', 'listbox'); list.setAttribute('aria-label', S.hint);
  document.body.append(input, row, notice, error, list);

  /** @type {ReturnType<typeof setTimeout> | undefined} */ let timer;
  let active = -1;
  const save = () => vscode.setState({ query: input.value, mode: mode.value, rerank: rerankBox.checked });
  const send = (delay = 200) => {
    clearTimeout(timer); save();
    timer = setTimeout(() => vscode.postMessage({ type: 'search', query: input.value.slice(0, 2000), mode: /** @type {Extract<FromPage, { type: 'search' }>['mode']} */ (mode.value), rerank: rerankBox.checked }), delay);
  };
  input.addEventListener('input', () => send());
  mode.addEventListener('change', () => send(0));
  rerankBox.addEventListener('change', () => send(0));

  const items = () => /** @type {HTMLElement[]} */ ([...list.querySelectorAll('li.hit')]);
  /** @param {number} i */
  const setActive = (i) => {
    const all = items(); if (!all.length) return;
    active = Math.max(0, Math.min(all.length - 1, i));
    all.forEach((li, j) => { li.classList.toggle('active', j === active); li.setAttribute('aria-selected', String(j === active)); });
    all[active].focus();
  };
  /** @param {number} i */
  const open = (i) => vscode.postMessage({ type: 'open', index: i });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); setActive(active + 1); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); if (active <= 0) { active = -1; items().forEach((li) => li.classList.remove('active')); input.focus(); } else setActive(active - 1); }
    else if (e.key === 'Enter') {
      if (active >= 0) { e.preventDefault(); open(active); }
      else if (document.activeElement === input && items().length) { e.preventDefault(); open(0); }
    }
  });

  /**
   * Text with <mark>s at the given [start, end) ranges (whole words, chosen by the extension),
   * built node by node. @param {string} text @param {unknown} ranges
   */
  function marked(text, ranges) {
    const frag = document.createDocumentFragment();
    let i = 0;
    for (const r of Array.isArray(ranges) ? ranges : []) {
      const a = Number(r && r[0]), b = Number(r && r[1]);
      if (!Number.isInteger(a) || !Number.isInteger(b) || a < i || b <= a || b > text.length) continue;
      frag.append(document.createTextNode(text.slice(i, a)), el('mark', '', text.slice(a, b)));
      i = b;
    }
    frag.append(document.createTextNode(text.slice(i)));
    return frag;
  }

  /** A five-step bar and its word; the raw score is in the tooltip. @param {number} level @param {string} label @param {string} tip */
  function relevance(level, label, tip) {
    const box = el('span', 'rel'); box.title = tip; box.setAttribute('role', 'img'); box.setAttribute('aria-label', `${S.relevance}: ${label}`);
    const bar = el('span', 'relbar');
    for (let i = 1; i <= 5; i++) bar.append(el('span', i <= level ? 'seg on' : 'seg'));
    box.append(bar, el('span', 'rellabel', label));
    return box;
  }

  /** What the page holds, measured in its own DOM (tests read it; users never see it). */
  function measured() {
    const css = getComputedStyle(document.documentElement);
    const hits = items().map((li) => {
      const text = (/** @type {HTMLElement} */ (li.querySelector('.snippet'))).textContent || '';
      const marks = [...li.querySelectorAll('mark')];
      // A mark touching a letter outside it would be part of a word.
      const partial = marks.filter((m) => /[\p{L}\p{N}]/u.test((m.previousSibling && m.previousSibling.textContent || '').slice(-1)) || /[\p{L}\p{N}]/u.test((m.nextSibling && m.nextSibling.textContent || '').slice(0, 1))).map((m) => m.textContent);
      const rel = /** @type {HTMLElement} */ (li.querySelector('.rel'));
      return { marks: marks.map((m) => m.textContent), partial, snippetLength: text.length, level: rel.querySelectorAll('.seg.on').length, label: rel.textContent, tip: rel.title };
    });
    const mark = list.querySelector('mark');
    const seg = list.querySelector('.seg.on');
    const inputStyle = getComputedStyle(input);
    return JSON.stringify({
      hits,
      markBackground: mark ? getComputedStyle(mark).backgroundColor : null,
      findMatchVar: css.getPropertyValue('--vscode-editor-findMatchHighlightBackground').trim(),
      segBackground: seg ? getComputedStyle(seg).backgroundColor : null,
      inputBorder: `${inputStyle.borderTopWidth} ${inputStyle.borderTopStyle} ${inputStyle.borderTopColor}`,
      inputBackground: inputStyle.backgroundColor,
    });
  }

  window.addEventListener('message', (ev) => {
    /** @type {ToPage} */
    const m = ev.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'setQuery' && typeof m.query === 'string') { input.value = m.query; input.focus(); send(0); return; }
    if (m.type === 'error') { error.hidden = false; error.textContent = String(m.message); return; }
    if (m.type !== 'results' || !Array.isArray(m.hits)) return;
    error.hidden = true;
    notice.hidden = !m.notice; notice.textContent = m.notice || '';
    // The controls show what the results were ranked with.
    if (m.query) {
      mode.value = m.mode; rerankBox.checked = !!m.rerank;
      if (document.activeElement !== input && input.value.trim() !== m.query) input.value = m.query;
      save();
    }
    list.replaceChildren(); active = -1;
    if (!m.hits.length && m.query) list.append(el('li', 'muted', S.none));
    m.hits.forEach((/** @type {any} */ h, /** @type {number} */ i) => {
      const li = el('li', 'hit'); li.tabIndex = -1; li.setAttribute('role', 'option');
      const head = el('div', 'heading'); head.append(marked(String(h.heading || h.path), h.headingMarks));
      // Cut at the start when narrow ("…/sourdough.md:20"): the file name and line matter most.
      const place = el('span', 'path'); place.append(el('bdi', '', `${h.path}:${h.startLine}`)); place.title = place.textContent || '';
      const where = el('div', 'where'); where.append(relevance(Number(h.level), String(h.label), String(h.tip)), place);
      const snip = el('div', 'snippet'); snip.append(marked(String(h.snippet), h.snippetMarks));
      li.append(head, where, snip);
      li.addEventListener('click', () => { setActive(i); open(i); });
      list.append(li);
    });
    // Tell the extension what was rendered: the tests check that no note text became markup.
    const injected = list.querySelectorAll('script, img, iframe, object, embed, a, style, link, svg, form, input, textarea').length;
    vscode.postMessage({ type: 'rendered', injected, text: (list.textContent || '').slice(0, 20000), detail: measured().slice(0, 50000) });
  });
  vscode.postMessage({ type: 'ready' });
  if (state.query) send(0);
})();
