import { api, ApiError } from './api.js';
import { el, show } from './dom.js';
import { parse, routes, quantile, delta } from './metrics.js';

const REFRESH_MS = 2000;

function ms(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const v = seconds * 1000;
  return v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`;
}

function percent(part, whole) {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : '–';
}

export function overview(root) {
  let previous = null;
  let timer = null;
  const tiles = el('div', { class: 'tiles' });
  const table = el('tbody');
  const status = el('p', { class: 'muted', 'aria-live': 'polite' }, 'Reading the metrics…');
  show(
    root,
    el('h1', {}, 'Overview'),
    status,
    tiles,
    el('h2', {}, 'Routes'),
    el('table', { 'data-testid': 'routes' },
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col' }, 'Route'),
        el('th', { scope: 'col' }, 'Service'),
        el('th', { scope: 'col', class: 'num' }, 'Requests/s'),
        el('th', { scope: 'col', class: 'num' }, 'Error rate'),
        el('th', { scope: 'col', class: 'num' }, 'p50'),
        el('th', { scope: 'col', class: 'num' }, 'p99'),
        el('th', { scope: 'col', class: 'num' }, 'Requests'))),
      table));

  const tile = (label, value) => el('div', { class: 'tile' },
    el('div', { class: 'value' }, value), el('div', { class: 'label' }, label));

  async function refresh() {
    let text;
    try {
      text = await api('GET', '/metrics');
    } catch (e) {
      show(status, el('span', { class: 'error' },
        e instanceof ApiError && e.status === 404 ? 'Metrics are off (metrics.enabled: false).' : `The metrics could not be read: ${e.message}`));
      return;
    }
    const now = { at: performance.now(), routes: routes(parse(String(text))) };
    const seconds = previous ? (now.at - previous.at) / 1000 : 0;
    let totalRate = 0;
    let totalErrorsDelta = 0;
    let totalDelta = 0;
    let totalRequests = 0;
    let withTraffic = 0;
    const rows = [];
    const names = [...now.routes.keys()].filter((n) => n !== '').sort();
    for (const name of names) {
      const r = now.routes.get(name);
      const p = previous ? previous.routes.get(name) : null;
      const dRequests = p ? Math.max(0, r.requests - p.requests) : 0;
      const dErrors = p ? Math.max(0, r.errors - p.errors) : 0;
      const recent = p ? delta(r.buckets, p.buckets) : r.buckets;
      const hasRecent = p && dRequests > 0;
      const h = hasRecent ? recent : r.buckets;
      const rate = seconds > 0 ? dRequests / seconds : 0;
      totalRate += rate;
      totalErrorsDelta += dErrors;
      totalDelta += dRequests;
      totalRequests += r.requests;
      if (r.requests > 0) withTraffic += 1;
      rows.push(el('tr', { 'data-testid': 'route-row' },
        el('td', {}, r.route),
        el('td', {}, r.service),
        el('td', { class: 'num' }, previous ? rate.toFixed(1) : '–'),
        el('td', { class: 'num' }, hasRecent ? percent(dErrors, dRequests) : percent(r.errors, r.requests)),
        el('td', { class: 'num' }, ms(quantile(h, 0.5))),
        el('td', { class: 'num' }, ms(quantile(h, 0.99))),
        el('td', { class: 'num', 'data-testid': 'route-requests' }, String(r.requests))));
    }
    show(table, rows.length ? rows : el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'No request yet.')));
    show(tiles,
      tile('Requests/s', previous ? totalRate.toFixed(1) : '–'),
      tile('Error rate (5xx)', totalDelta > 0 ? percent(totalErrorsDelta, totalDelta) : '–'),
      tile('Requests since start', String(totalRequests)),
      tile('Routes with traffic', String(withTraffic)));
    show(status, `Live: refreshed every ${REFRESH_MS / 1000} s, last at ${new Date().toLocaleTimeString()}.`);
    previous = now;
  }

  refresh();
  timer = setInterval(refresh, REFRESH_MS);
  return () => clearInterval(timer);
}
