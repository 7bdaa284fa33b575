import { api } from './api.js';
import { el, show, formatTime, isOff } from './dom.js';
import { fromSummary, quantile, traffic, byService, busiestFirst, metricsOff } from './metrics.js';
import { labelText, summary, alertingOff } from './alerts.js';

// The overview reads what the gateway keeps anyway: GET /metrics/summary (the traffic counters,
// read without sampling the event loops), GET /status, GET /alerts, and
// GET /services/{name}/health for the services on screen. The data plane does no work for it.
const REFRESH_MS = 2000;
// With more than a thousand routes, read the summary less often.
const LARGE_ROUTES = 1000;
const LARGE_REFRESH_MS = 5000;
const HEALTH_EVERY = 5;
const TOP_ROUTES = 20;
const TOP_SERVICES = 10;
const TOP_CONSUMERS = 10;

function ms(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const v = seconds * 1000;
  return v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`;
}

function percent(part, whole) {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : '–';
}

function rate(r) {
  return r.rate === null ? '–' : r.rate.toFixed(1);
}

/** Error rate, p50 and p99 of the requests since the last reading, or since start without any. */
function recent(r) {
  const recent = r.dRequests > 0;
  const h = recent ? r.recent : r.buckets;
  return {
    errors: recent ? percent(r.dErrors, r.dRequests) : percent(r.errors, r.requests),
    p50: ms(quantile(h, 0.5)),
    p99: ms(quantile(h, 0.99)),
  };
}

/** A table head: the names of the text columns, then those of the number columns. */
function head(text, numbers, after = []) {
  const th = (n, num) => el('th', { scope: 'col', class: num ? 'num' : null }, n);
  return el('thead', {}, el('tr', {}, text.map((n) => th(n, false)), numbers.map((n) => th(n, true)), after.map((n) => th(n, false))));
}

function empty(cols, text) {
  return el('tr', {}, el('td', { colspan: cols, class: 'muted' }, text));
}

function upstream(name, status, health) {
  const parts = [];
  let bad = false;
  const source = status && status.services ? status.services[name] : null;
  if (source) {
    parts.push(`${source.state}, ${source.endpoints} endpoint${source.endpoints === 1 ? '' : 's'}`);
    bad = source.state !== 'ok' && source.state !== 'stale';
  }
  if (health) {
    parts.push(`${health.available}/${health.endpoints_listed} available`);
    if (health.endpoints_listed > 0 && health.available === 0) bad = true;
    const breaker = health.circuit_breaker;
    if (breaker && breaker.state !== 'closed') {
      parts.push(`circuit ${breaker.state}`);
      bad = true;
    }
  }
  return el('td', { 'data-testid': 'service-health', class: bad ? 'error' : null }, parts.length ? parts.join(' · ') : '–');
}

export function overview(root) {
  let previous = null;
  let last = null;
  let status = null;
  let perConsumer = null;
  let tick = 0;
  let every = REFRESH_MS;
  const health = new Map();
  const tiles = el('div', { class: 'tiles' });
  const alertsBox = el('div', { 'data-testid': 'overview-alerts' });
  const routeBody = el('tbody');
  const serviceBody = el('tbody');
  const consumerBox = el('div', { 'data-testid': 'overview-consumers' });
  const routeCount = el('p', { class: 'muted', 'data-testid': 'route-count' });
  const serviceCount = el('p', { class: 'muted' });
  const line = el('div', { class: 'muted', 'aria-live': 'polite' }, 'Reading the metrics…');
  const search = el('input', { id: 'overview-search', type: 'search', autocomplete: 'off' });
  show(
    root,
    el('h1', {}, 'Overview'),
    line,
    tiles,
    el('h2', {}, 'Firing alerts'),
    alertsBox,
    el('div', { class: 'row' }, el('label', { for: 'overview-search' }, 'Find a route or service', search)),
    el('h2', {}, 'Routes'),
    routeCount,
    el('table', { 'data-testid': 'routes' },
      head(['Route', 'Service'], ['Requests/s', 'Error rate', 'p50', 'p99', 'Requests']), routeBody),
    el('h2', {}, 'Services'),
    serviceCount,
    el('table', { 'data-testid': 'services' },
      head(['Service'], ['Requests/s', 'Error rate', 'p50', 'p99', 'Requests'], ['Upstream health']), serviceBody),
    el('h2', {}, 'Top consumers'),
    consumerBox);

  const tile = (label, value) => el('div', { class: 'tile' },
    el('div', { class: 'value' }, value), el('div', { class: 'label' }, label));

  function matching(rows, ...fields) {
    const q = search.value.trim().toLowerCase();
    if (!q) return rows;
    return rows.filter((r) => fields.some((f) => String(r[f] || '').toLowerCase().includes(q)));
  }

  function render() {
    if (!last) return;
    const routeRows = matching(last.routes, 'name', 'service').sort(busiestFirst);
    const shownRoutes = routeRows.slice(0, TOP_ROUTES);
    show(routeCount, `${shownRoutes.length} of ${routeRows.length} route${routeRows.length === 1 ? '' : 's'}${search.value.trim() ? ' matching' : ''}, busiest first.`);
    show(routeBody, shownRoutes.length ? shownRoutes.map((r) => {
      const w = recent(r);
      return el('tr', { 'data-testid': 'route-row' },
        el('td', {}, r.name), el('td', {}, r.service),
        el('td', { class: 'num' }, rate(r)), el('td', { class: 'num' }, w.errors),
        el('td', { class: 'num' }, w.p50), el('td', { class: 'num' }, w.p99),
        el('td', { class: 'num', 'data-testid': 'route-requests' }, String(r.requests)));
    }) : empty(7, search.value.trim() ? 'No route matches.' : 'No request yet.'));

    const serviceRows = matching(last.services, 'name').sort(busiestFirst);
    const shownServices = serviceRows.slice(0, TOP_SERVICES);
    last.shownServices = shownServices.map((s) => s.name).filter((n) => n !== '(none)');
    show(serviceCount, `${shownServices.length} of ${serviceRows.length} service${serviceRows.length === 1 ? '' : 's'}, busiest first.`);
    show(serviceBody, shownServices.length ? shownServices.map((s) => {
      const w = recent(s);
      return el('tr', { 'data-testid': 'service-row' },
        el('td', {}, s.name), el('td', { class: 'num' }, rate(s)), el('td', { class: 'num' }, w.errors),
        el('td', { class: 'num' }, w.p50), el('td', { class: 'num' }, w.p99),
        el('td', { class: 'num', 'data-testid': 'service-requests' }, String(s.requests)),
        s.name === '(none)' ? el('td', { class: 'muted' }, 'answered by the gateway') : upstream(s.name, status, health.get(s.name)));
    }) : empty(7, search.value.trim() ? 'No service matches.' : 'No service yet.'));

    if (perConsumer === false) {
      show(consumerBox, el('p', { class: 'muted', 'data-testid': 'consumers-off' },
        'Per-consumer metrics are off. Set metrics.per-consumer: true to see the busiest consumers here.'));
    } else {
      const list = last.consumers.sort(busiestFirst).slice(0, TOP_CONSUMERS);
      show(consumerBox, el('table', { 'data-testid': 'consumers' },
        head(['Consumer'], ['Requests/s', 'Error rate', 'Requests']),
        el('tbody', {}, list.length ? list.map((c) => el('tr', { 'data-testid': 'consumer-row' },
          el('td', {}, c.name), el('td', { class: 'num' }, rate(c)),
          el('td', { class: 'num' }, c.dRequests > 0 ? percent(c.dErrors, c.dRequests) : percent(c.errors, c.requests)),
          el('td', { class: 'num' }, String(c.requests)))) : empty(4, 'No request from a consumer yet.'))));
    }
  }

  async function refreshAlerts() {
    try {
      const data = await api('GET', '/alerts');
      const firing = (data.rules || []).filter((r) => r.state === 'firing');
      show(alertsBox, firing.length
        ? el('ul', {}, firing.map((r) => el('li', { 'data-testid': 'firing-alert' },
          el('strong', {}, r.name), ` ${labelText(r.labels)} — ${summary(r)}, since ${formatTime(r.starts_at || r.since)}`,
          (r.silenced_by || []).length ? ` (silenced by ${r.silenced_by.join(', ')})` : '')))
        : el('p', { class: 'muted' }, 'Nothing is firing.'));
    } catch (e) {
      show(alertsBox, isOff(e, 'alerting-off')
        ? alertingOff() : el('p', { class: 'error' }, `The alerts could not be read: ${e.message}`));
    }
  }

  async function refreshHealth(onlyMissing) {
    const names = (last && last.shownServices ? last.shownServices : []).filter((n) => !onlyMissing || !health.has(n));
    await Promise.all(names.map(async (name) => {
      try {
        health.set(name, await api('GET', `/services/${encodeURIComponent(name)}/health`));
      } catch (e) {
        health.delete(name);
      }
    }));
  }

  async function refresh() {
    let counts;
    try {
      [counts, status] = await Promise.all([api('GET', '/metrics/summary'), api('GET', '/status').catch(() => null)]);
    } catch (e) {
      if (isOff(e, 'metrics-disabled')) {
        show(line, metricsOff());
        show(tiles);
        if (tick % 2 === 0) await refreshAlerts();
        tick += 1;
        return;
      }
      show(line, el('span', { class: 'error' }, `The metrics could not be read: ${e.message}`));
      return;
    }
    const now = { at: performance.now(), ...fromSummary(counts) };
    every = now.routes.size > LARGE_ROUTES ? LARGE_REFRESH_MS : REFRESH_MS;
    const seconds = previous ? (now.at - previous.at) / 1000 : 0;
    const routeRows = traffic(now.routes, previous && previous.routes, seconds);
    const consumerRows = [...now.consumers.values()].map((c) => {
      const p = previous ? previous.consumers.get(c.consumer) : null;
      const dRequests = p ? Math.max(0, c.requests - p.requests) : 0;
      return { name: c.consumer, requests: c.requests, errors: c.errors, dRequests,
        dErrors: p ? Math.max(0, c.errors - p.errors) : 0, rate: seconds > 0 ? dRequests / seconds : null };
    });
    const shownBefore = last ? last.shownServices : null;
    last = { routes: routeRows, services: byService(routeRows), consumers: consumerRows };
    let totalDelta = 0;
    let totalErrors = 0;
    let totalRequests = 0;
    for (const r of routeRows) {
      totalDelta += r.dRequests;
      totalErrors += r.dErrors;
      totalRequests += r.requests;
    }
    show(tiles,
      tile('Requests/s', seconds > 0 ? (totalDelta / seconds).toFixed(1) : '–'),
      tile('Error rate (5xx)', totalDelta > 0 ? percent(totalErrors, totalDelta) : '–'),
      tile('Requests since start', String(totalRequests)),
      tile('Routes with traffic', String(routeRows.filter((r) => r.requests > 0).length)));
    render();
    if (tick % HEALTH_EVERY === 0 || String(shownBefore) !== String(last.shownServices)) {
      await refreshHealth();
      render();
    }
    if (tick % 2 === 0) await refreshAlerts();
    tick += 1;
    show(line, `Live: refreshed every ${every / 1000} s, last at ${new Date().toLocaleTimeString()}.`);
    previous = now;
  }

  search.addEventListener('input', () => {
    render();
    refreshHealth(true).then(render);
  });
  api('GET', '/config').then((c) => {
    const metrics = (c && (c.config || c).metrics) || {};
    perConsumer = metrics['per-consumer'] === true;
    render();
  }).catch(() => { perConsumer = null; });
  // One reading at a time: the next starts `every` ms after the last one ended.
  let timer = null;
  let stopped = false;
  const loop = async () => {
    await refresh();
    if (!stopped) timer = setTimeout(loop, every);
  };
  loop();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
