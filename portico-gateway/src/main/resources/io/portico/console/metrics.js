// Reads the gateway's own Prometheus text (GET /metrics) into per-route counters, and turns two
// readings into rates and latency quantiles. Nothing here touches the data plane: the gateway
// already keeps these counters.

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * The samples of a Prometheus text, each {name, labels, value}. With prefixes, only the lines that
 * start with one of them are parsed: with a thousand routes most of the text is skipped unread.
 */
export function parse(text, prefixes) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    if (prefixes && !prefixes.some((p) => line.startsWith(p))) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[2]) {
      for (const l of m[2].matchAll(LABEL)) {
        labels[l[1]] = l[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      }
    }
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** Per route: requests, 5xx responses, and the latency histogram's cumulative buckets. */
export function routes(samples) {
  const byRoute = new Map();
  const entry = (labels) => {
    const key = labels.route || '';
    if (!byRoute.has(key)) {
      byRoute.set(key, { route: key, service: labels.service || '', requests: 0, errors: 0, buckets: new Map() });
    }
    return byRoute.get(key);
  };
  for (const s of samples) {
    if (s.name === 'portico_requests_total') {
      const e = entry(s.labels);
      e.requests += s.value;
      if (s.labels.status === '5xx') e.errors += s.value;
    } else if (s.name === 'portico_request_duration_seconds_bucket') {
      const e = entry(s.labels);
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      e.buckets.set(le, (e.buckets.get(le) || 0) + s.value);
    }
  }
  return byRoute;
}

/** Per consumer (metrics.per-consumer): requests and 5xx responses. */
export function consumers(samples) {
  const byConsumer = new Map();
  for (const s of samples) {
    if (s.name !== 'portico_consumer_requests_total') continue;
    const key = s.labels.consumer || '';
    if (!byConsumer.has(key)) byConsumer.set(key, { consumer: key, requests: 0, errors: 0 });
    const e = byConsumer.get(key);
    e.requests += s.value;
    if (s.labels.status === '5xx') e.errors += s.value;
  }
  return byConsumer;
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
