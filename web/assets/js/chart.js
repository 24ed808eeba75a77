// A horizontal bar chart in SVG (no chart library): one bar per row, its value a rate
// between 0 and 1 (or null: nothing to count), its text beside it.

import { s } from './dom.js';

export function rateChart(rows, { title = '', empty = '—' } = {}) {
  const width = 340;
  const labelW = 104;
  const textW = 58;
  const barW = width - labelW - textW - 8;
  const rowH = 30;
  const top = 4;
  const height = top + Math.max(1, rows.length) * rowH + 4;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title, preserveAspectRatio: 'xMinYMin meet' });
  if (title) svg.append(s('title', {}, title));
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    const rate = typeof row.value === 'number' ? Math.max(0, Math.min(1, row.value)) : null;
    const label = row.label.length > 8 ? `${row.label.slice(0, 7)}…` : row.label;
    const g = s('g', { class: 'bar', dataset: { key: row.key || '' } },
      s('text', { x: labelW - 6, y: y + rowH / 2 + 5, 'text-anchor': 'end', class: 'bar-label' }, label),
      s('rect', { x: labelW, y: y + 5, width: barW, height: rowH - 10, rx: 3, class: 'bar-track' }),
      rate === null ? null : s('rect', { x: labelW, y: y + 5, width: Math.max(rate > 0 ? 2 : 0, barW * rate), height: rowH - 10, rx: 3, class: rate >= 0.8 ? 'bar-fill good' : rate >= 0.5 ? 'bar-fill fair' : 'bar-fill poor' }),
      s('text', { x: labelW + barW + 6, y: y + rowH / 2 + 5, class: 'bar-value' }, rate === null ? empty : row.text),
    );
    g.append(s('title', {}, `${row.label}: ${rate === null ? empty : row.text}`));
    svg.append(g);
  });
  return svg;
}
