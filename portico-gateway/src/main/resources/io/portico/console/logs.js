import { el, show, formatTime } from './dom.js';

const MAX_ROWS = 200;
const MAX_HELD = 1000;

/**
 * The access log, live: GET /logs/tail as server-sent events, filtered by route, status and
 * consumer. Lines arrive redacted by the gateway exactly as its log sinks write them; every value
 * is rendered as text. Pausing keeps the stream open and holds new lines until resumed.
 */
export function logs(root) {
  const message = el('p', { 'aria-live': 'polite', id: 'logs-message' });
  const body = el('tbody');
  const route = el('input', { id: 'tail-route', name: 'route', autocomplete: 'off' });
  const status = el('input', { id: 'tail-status', name: 'status', autocomplete: 'off' });
  const consumer = el('input', { id: 'tail-consumer', name: 'consumer', autocomplete: 'off' });
  const pause = el('button', { type: 'button', class: 'plain', id: 'tail-pause' }, 'Pause');
  const clear = el('button', { type: 'button', class: 'plain', id: 'tail-clear' }, 'Clear');
  const form = el('form', { class: 'row', id: 'tail-filters' },
    el('label', { for: 'tail-route' }, 'Route', route),
    el('label', { for: 'tail-status' }, 'Status (404 or 5xx)', status),
    el('label', { for: 'tail-consumer' }, 'Consumer', consumer),
    el('button', { type: 'submit' }, 'Apply filters'),
    pause, clear);

  let source = null;
  let paused = false;
  let held = [];
  let dropped = 0;

  function row(text) {
    let line;
    try { line = JSON.parse(text); } catch (e) { return null; }
    const details = el('details', {},
      el('summary', {}, 'line'),
      el('pre', { 'data-testid': 'tail-json' }, JSON.stringify(line, null, 2)));
    return el('tr', { 'data-testid': 'tail-row' },
      el('td', {}, formatTime(line.time)),
      el('td', {}, line.method || ''),
      el('td', { 'data-testid': 'tail-path' }, line.path || ''),
      el('td', { 'data-testid': 'tail-route' }, line.route || ''),
      el('td', { class: 'num', 'data-testid': 'tail-status' }, line.status === undefined ? '' : String(line.status)),
      el('td', { 'data-testid': 'tail-consumer' }, line.consumer || ''),
      el('td', { class: 'num' }, line.duration_ms === undefined ? '' : String(line.duration_ms)),
      el('td', {}, details));
  }

  function render(lines) {
    for (const text of lines) {
      const r = row(text);
      if (r) body.prepend(r);
    }
    while (body.rows.length > MAX_ROWS) body.lastElementChild.remove();
  }

  function state() {
    const filters = [];
    if (route.value.trim()) filters.push(`route ${route.value.trim()}`);
    if (status.value.trim()) filters.push(`status ${status.value.trim()}`);
    if (consumer.value.trim()) filters.push(`consumer ${consumer.value.trim()}`);
    const what = filters.length ? ` (${filters.join(', ')})` : '';
    const lost = dropped ? ` ${dropped} lines were dropped because the page fell behind.` : '';
    show(message, paused
      ? `Paused${what}: ${held.length} new lines held.${lost}`
      : `Live${what}: the newest ${MAX_ROWS} lines are shown, newest first.${lost}`);
  }

  function connect() {
    if (source) source.close();
    const query = new URLSearchParams();
    if (route.value.trim()) query.set('route', route.value.trim());
    if (status.value.trim()) query.set('status', status.value.trim());
    if (consumer.value.trim()) query.set('consumer', consumer.value.trim());
    const q = query.toString();
    source = new EventSource(`/logs/tail${q ? `?${q}` : ''}`);
    source.onmessage = (event) => {
      if (paused) {
        held.push(event.data);
        if (held.length > MAX_HELD) { held.shift(); dropped += 1; }
        state();
      } else {
        render([event.data]);
      }
    };
    source.addEventListener('dropped', (event) => {
      try { dropped += JSON.parse(event.data).dropped || 0; } catch (e) { /* ignore a bad count */ }
      state();
    });
    source.onerror = () => {
      if (source && source.readyState === EventSource.CLOSED) {
        show(message, el('span', { class: 'error' },
          'The tail was refused: check the filters (a status is 404 or 5xx) and that you are signed in.'));
      }
    };
    state();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    body.replaceChildren();
    held = [];
    dropped = 0;
    connect();
  });
  pause.addEventListener('click', () => {
    paused = !paused;
    show(pause, paused ? 'Resume' : 'Pause');
    if (!paused) {
      render(held);
      held = [];
    }
    state();
  });
  clear.addEventListener('click', () => { body.replaceChildren(); held = []; dropped = 0; state(); });

  show(root,
    el('h1', {}, 'Access log'),
    form,
    message,
    el('table', { 'data-testid': 'tail' },
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col' }, 'Time'), el('th', { scope: 'col' }, 'Method'),
        el('th', { scope: 'col' }, 'Path'), el('th', { scope: 'col' }, 'Route'),
        el('th', { scope: 'col', class: 'num' }, 'Status'), el('th', { scope: 'col' }, 'Consumer'),
        el('th', { scope: 'col', class: 'num' }, 'ms'), el('th', { scope: 'col' }, 'Line'))),
      body));
  connect();
  return () => { if (source) source.close(); source = null; };
}
