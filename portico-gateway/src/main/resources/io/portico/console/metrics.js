// Reads the gateway's own Prometheus text (GET /metrics) into per-route counters, and turns two
// readings into rates and latency quantiles. Nothing here touches the data plane: the gateway
// already keeps these counters.

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parse(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
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

/** The difference of two cumulative histograms. */
export function delta(now, before) {
  const out = new Map();
  for (const [le, count] of now) out.set(le, Math.max(0, count - ((before && before.get(le)) || 0)));
  return out;
}
