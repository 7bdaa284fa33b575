import { el, featureOff } from './dom.js';

// Reads the gateway's traffic counters (GET /metrics/summary: per route and per consumer, since
// start) and turns two readings into rates and latency quantiles. Nothing here touches the data
// plane: the gateway keeps these counters anyway, and the summary is read without sampling the
// event loops.

/**
 * The summary as Maps: routes by name ({route, service, requests, errors, buckets: Map of upper
 * bound in seconds to cumulative count, +Inf included}) and consumers by name ({consumer,
 * requests, errors}).
 */
export function fromSummary(summary) {
  const bounds = summary.bounds || [];
  const routes = new Map();
  for (const r of summary.routes || []) {
    const buckets = new Map();
    bounds.forEach((le, i) => buckets.set(le, (r.buckets || [])[i] || 0));
    buckets.set(Infinity, r.durations || 0);
    routes.set(r.route, { route: r.route, service: r.service, requests: r.requests, errors: r.errors, buckets });
  }
  const consumers = new Map();
  for (const c of summary.consumers || []) consumers.set(c.consumer, c);
  return { routes, consumers };
}

/** The q-quantile (0..1) of a histogram given as cumulative {le: count}, in seconds; null if empty. */
export function quantile(buckets, q) {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  if (bounds.length === 0) return null;
  const total = buckets.get(bounds[bounds.length - 1]);
  if (!total) return null;
  const rank = q * total;
  let previousBound = 0;
  let previousCount = 0;
  for (const bound of bounds) {
    const count = buckets.get(bound);
    if (count >= rank) {
      if (bound === Infinity) return previousBound;
      const inBucket = count - previousCount;
      const fraction = inBucket > 0 ? (rank - previousCount) / inBucket : 1;
      return previousBound + (bound - previousBound) * fraction;
    }
    previousBound = bound;
    previousCount = count;
  }
  return previousBound;
}

/** The sum of cumulative histograms into the first. */
export function add(into, buckets) {
  for (const [le, count] of buckets) into.set(le, (into.get(le) || 0) + count);
  return into;
}

/** The difference of two cumulative histograms. */
export function delta(now, before) {
  const out = new Map();
  for (const [le, count] of now) out.set(le, Math.max(0, count - ((before && before.get(le)) || 0)));
  return out;
}

/**
 * Per route, the traffic between two readings of routes(): rate (per second over `seconds`),
 * error rate, p50 and p99 (of the recent requests, or since start when none came in between),
 * and the counts since start. `previous` is null for the first reading.
 */
export function traffic(now, previous, seconds) {
  const rows = [];
  for (const [name, r] of now) {
    if (name === '') continue;
    const p = previous ? previous.get(name) : null;
    const dRequests = p ? Math.max(0, r.requests - p.requests) : 0;
    const dErrors = p ? Math.max(0, r.errors - p.errors) : 0;
    const recent = p ? delta(r.buckets, p.buckets) : new Map();
    rows.push({
      name, service: r.service, requests: r.requests, errors: r.errors, dRequests, dErrors,
      rate: seconds > 0 ? dRequests / seconds : null, recent, buckets: r.buckets,
    });
  }
  return rows;
}

/** traffic() rows summed per service. */
export function byService(rows) {
  const out = new Map();
  for (const r of rows) {
    const key = r.service || '(none)';
    if (!out.has(key)) {
      out.set(key, {
        name: key, requests: 0, errors: 0, dRequests: 0, dErrors: 0, rate: null,
        recent: new Map(), buckets: new Map(),
      });
    }
    const s = out.get(key);
    s.requests += r.requests;
    s.errors += r.errors;
    s.dRequests += r.dRequests;
    s.dErrors += r.dErrors;
    if (r.rate !== null) s.rate = (s.rate || 0) + r.rate;
    add(s.recent, r.recent);
    add(s.buckets, r.buckets);
  }
  return [...out.values()];
}

/** Busiest first: by rate, then by requests since start, then by name. */
export function busiestFirst(a, b) {
  return (b.rate || 0) - (a.rate || 0) || b.requests - a.requests || a.name.localeCompare(b.name);
}

/** What a page shows in place of numbers when the gateway runs with metrics off. */
export function metricsOff(what = 'Metrics are off') {
  return featureOff('metrics-off', what,
    'The gateway counts traffic only with metrics on: remove ', el('code', {}, 'metrics.enabled: false'),
    ' from the config and restart, see ', el('code', {}, 'docs/observability.md#metrics'), '.');
}
