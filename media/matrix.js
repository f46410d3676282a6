// Similarity matrix panel: sentences in a textarea, an N×N heatmap table out. Sentences are
// rendered with textContent; colours are set through the CSSOM, which the CSP allows.
(function () {
  const vscode = acquireVsCodeApi();
  const S = JSON.parse(document.body.dataset.strings);
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  const area = el('textarea'); area.placeholder = S.placeholder; area.setAttribute('aria-label', S.placeholder);
  area.value = (vscode.getState() || {}).text || 'The weather is lovely today.\nIt\'s so sunny outside!\nHe drove to the stadium.';
  const pooling = el('select'); for (const p of ['mean', 'cls', 'max']) { const o = el('option', '', p.toUpperCase() === 'CLS' ? 'CLS' : p); o.value = p; pooling.append(o); }
  const metric = el('select'); for (const p of ['cosine', 'euclidean', 'dot']) { const o = el('option', '', p); o.value = p; metric.append(o); }
  const button = el('button', '', S.compute);
  const row = el('div', 'row'); row.append(el('span', 'muted', S.pooling), pooling, el('span', 'muted', S.metric), metric, button);
  const error = el('div', 'error'); error.hidden = true;
  const out = el('div');
  const info = el('div', 'muted');
  document.body.append(area, row, error, info, out);
  const compute = () => { vscode.setState({ text: area.value }); vscode.postMessage({ type: 'compute', texts: area.value.split('\n').map((s) => s.trim()).filter(Boolean).slice(0, 64), pooling: pooling.value, metric: metric.value }); };
  button.addEventListener('click', compute); pooling.addEventListener('change', compute); metric.addEventListener('change', compute);

  window.addEventListener('message', (ev) => {
    const m = ev.data;
    if (m.type === 'setTexts') { area.value = m.texts.join('\n'); compute(); }
    if (m.type === 'error') { error.hidden = false; error.textContent = m.message; }
    if (m.type !== 'result') return;
    error.hidden = true;
    const r = m.result;
    pooling.value = r.pooling; metric.value = r.metric;
    info.textContent = `${r.model} · ${r.pooling} · ${r.metric}`;
    const vals = r.matrix.flat();
    const lo = Math.min(...vals), hi = Math.max(...vals);
    const closer = r.metric === 'euclidean' ? (v) => (hi - v) / (hi - lo || 1) : (v) => (v - lo) / (hi - lo || 1);
    const table = el('table', 'matrix');
    const head = el('tr'); head.append(el('th'));
    r.texts.forEach((_, j) => head.append(el('th', '', String(j + 1))));
    table.append(head);
    r.matrix.forEach((rowVals, i) => {
      const tr = el('tr');
      const th = el('th', 'rowhead', `${i + 1}. ${r.texts[i]}`); th.title = r.texts[i]; tr.append(th);
      rowVals.forEach((v) => { const td = el('td', '', v.toFixed(3)); td.style.backgroundColor = `rgba(64, 128, 255, ${(0.1 + 0.8 * closer(v)).toFixed(2)})`; tr.append(td); });
      table.append(tr);
    });
    out.replaceChildren(table);
  });
})();
