// Similarity matrix panel: sentences in a textarea, an N×N heatmap table out. Sentences are set
// with textContent; cell colours go through the CSSOM (element.style), which the CSP allows.
// @ts-check
(function () {
  /** @typedef {import('../src/extension/webviews/messages').ToMatrixPage} ToPage */
  /** @typedef {import('../src/extension/webviews/messages').FromMatrixPage} FromPage */
  /** @typedef {Extract<FromPage, { type: 'compute' }>} FromCompute */
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

  const area = /** @type {HTMLTextAreaElement} */ (el('textarea'));
  area.placeholder = S.placeholder; area.setAttribute('aria-label', S.placeholder);
  area.value = typeof saved.text === 'string' ? saved.text : 'The weather is lovely today.\nIt\'s so sunny outside!\nHe drove to the stadium.';
  const pooling = /** @type {HTMLSelectElement} */ (el('select')); pooling.setAttribute('aria-label', S.pooling);
  // '' = the model's own pooling (the default, as Compare Sentences and search use).
  for (const [v, label] of [['', S.modelPooling], ['mean', 'mean'], ['cls', 'CLS'], ['max', 'max']]) { const o = /** @type {HTMLOptionElement} */ (el('option', '', label)); o.value = v; pooling.append(o); }
  const metric = /** @type {HTMLSelectElement} */ (el('select')); metric.setAttribute('aria-label', S.metric);
  for (const v of ['cosine', 'euclidean', 'dot']) { const o = /** @type {HTMLOptionElement} */ (el('option', '', S[v] || v)); o.value = v; metric.append(o); }
  if (typeof saved.pooling === 'string') pooling.value = saved.pooling;
  if (saved.metric) metric.value = saved.metric;
  const button = el('button', '', S.compute);
  pooling.id = 'pooling'; metric.id = 'metric';
  const label = (/** @type {string} */ forId, /** @type {string} */ text) => { const l = /** @type {HTMLLabelElement} */ (el('label', 'muted', text)); l.htmlFor = forId; return l; };
  const row = el('div', 'row'); row.append(label('pooling', S.pooling), pooling, label('metric', S.metric), metric, button);
  const error = el('div', 'error'); error.hidden = true; error.setAttribute('role', 'alert');
  const info = el('div', 'muted'); info.setAttribute('aria-live', 'polite');
  const out = el('div', 'matrix-box');
  document.body.append(area, row, error, info, out);

  const lines = () => area.value.split('\n').map((s) => s.trim()).filter(Boolean).slice(0, 64).map((s) => s.slice(0, 2000));
  const save = () => vscode.setState({ text: area.value, pooling: pooling.value, metric: metric.value });
  const compute = () => { save(); const texts = lines(); if (texts.length) vscode.postMessage({ type: 'compute', texts, pooling: /** @type {FromCompute['pooling']} */ (pooling.value), metric: /** @type {FromCompute['metric']} */ (metric.value) }); };
  button.addEventListener('click', compute);
  pooling.addEventListener('change', compute);
  metric.addEventListener('change', compute);
  area.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) compute(); });

  window.addEventListener('message', (ev) => {
    /** @type {ToPage} */
    const m = ev.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'setTexts' && Array.isArray(m.texts)) { area.value = m.texts.map(String).join('\n'); save(); return; }
    if (m.type === 'busy') { area.value = m.texts.map(String).join('\n'); pooling.value = m.pooling; metric.value = m.metric; save(); out.classList.add('stale'); return; }
    if (m.type === 'error') { error.hidden = false; error.textContent = String(m.message); out.classList.remove('stale'); return; }
    if (m.type !== 'result') return;
    error.hidden = true; out.classList.remove('stale');
    const r = m.result;
    // The model's own pooling stays chosen as such; the line below says which one it is.
    pooling.value = typeof m.chosen === 'string' ? m.chosen : r.pooling; metric.value = r.metric; save();
    const poolName = r.pooling === 'cls' ? 'CLS' : r.pooling;
    info.textContent = `${r.model} · ${pooling.value === '' ? `${S.modelPooling} (${poolName})` : poolName} · ${S[r.metric] || r.metric} · ${S.closer}`;
    /** @type {number[]} */ const vals = r.matrix.flat();
    const lo = Math.min(...vals), hi = Math.max(...vals);
    // Euclidean is a distance: smaller is closer, so the scale is reversed.
    /** @param {number} v */
    const closeness = (v) => (r.metric === 'euclidean' ? (hi - v) : (v - lo)) / (hi - lo || 1);
    // An accessible table: a caption, column and row headers with scope, every value as text
    // (the colour only repeats it). Cell colours mix the theme's chart blue into the background.
    const table = el('table', 'matrix');
    table.append(el('caption', 'muted', `${S.heatmap} (${S[r.metric] || r.metric})`));
    const head = el('tr'); const corner = el('th'); corner.setAttribute('scope', 'col'); head.append(corner);
    r.texts.forEach((/** @type {string} */ t, /** @type {number} */ j) => { const th = el('th', '', String(j + 1)); th.title = t; th.setAttribute('scope', 'col'); th.setAttribute('aria-label', `${j + 1}. ${t}`); head.append(th); });
    const thead = el('thead'); thead.append(head); table.append(thead);
    const tbody = el('tbody');
    r.matrix.forEach((/** @type {number[]} */ rowVals, /** @type {number} */ i) => {
      const tr = el('tr');
      const th = el('th', 'rowhead', `${i + 1}. ${r.texts[i]}`); th.title = r.texts[i]; th.setAttribute('scope', 'row'); tr.append(th);
      rowVals.forEach((v, j) => {
        const c = closeness(v);
        const td = el('td', c > 0.6 ? 'strong' : '', v.toFixed(3));
        td.title = `${i + 1} ↔ ${j + 1}: ${v.toFixed(4)}`;
        td.style.backgroundColor = `color-mix(in srgb, var(--vscode-charts-blue, #3794ff) ${Math.round(8 + 52 * c)}%, transparent)`;
        tr.append(td);
      });
      tbody.append(tr);
    });
    table.append(tbody);
    out.replaceChildren(table);
    const injected = out.querySelectorAll('script, img, iframe, object, embed, a, style, link, svg, form, input, textarea').length;
    const detail = JSON.stringify({ pooling: pooling.value, info: info.textContent, caption: /** @type {HTMLTableElement} */ (table).caption?.textContent ?? null, colHeaders: table.querySelectorAll('th[scope=col]').length, rowHeaders: table.querySelectorAll('th[scope=row]').length, cellBackground: getComputedStyle(/** @type {Element} */ (table.querySelector('td'))).backgroundColor });
    vscode.postMessage({ type: 'rendered', injected, text: (out.textContent || '').slice(0, 20000), detail });
  });
  vscode.postMessage({ type: 'ready' });
})();
