import { api } from './api.js';
import { el, show, formatTime, featureOff, isOff } from './dom.js';

const REFRESH_MS = 3000;

export function labelText(labels) {
  return Object.entries(labels || {}).map(([k, v]) => `${k}=${v}`).join(', ');
}

function amount(kind, value) {
  if (kind === 'error-rate') return `${Math.round(value * 10000) / 100}%`;
  return String(value);
}

export function summary(rule) {
  if (rule.value === null || rule.value === undefined) return `${rule.kind}: no value yet`;
  const threshold = rule.threshold === null || rule.threshold === undefined
    ? '' : ` (threshold ${amount(rule.kind, rule.threshold)})`;
  return `${rule.kind}: ${amount(rule.kind, rule.value)}${threshold}`;
}

/** What the pages show when the gateway runs without an alerts section. */
export function alertingOff() {
  return featureOff('alerting-off', 'Alerting is off',
    'Add an ', el('code', {}, 'alerts'), ' section to the config (rules and notifiers), see ',
    el('code', {}, 'docs/observability.md#alerting'), '.');
}

/** The alerts page: alerts by state, the silences in force, and a form to add one. */
export function alerts(root, who) {
  const canWrite = who.kind === 'anonymous' || who.role === 'admin' || who.role === 'operator';
  const message = el('p', { 'aria-live': 'polite', id: 'alerts-message' });
  const active = el('tbody');
  const resolved = el('tbody');
  const silences = el('tbody');
  let timer = null;
  let stopped = false;

  function alertRow(rule) {
    return el('tr', { 'data-testid': 'alert-row' },
      el('td', { 'data-testid': 'alert-name' }, rule.name),
      el('td', { 'data-testid': 'alert-state', class: `state ${rule.state}` }, rule.state),
      el('td', {}, labelText(rule.labels)),
      el('td', {}, formatTime(rule.since)),
      el('td', {}, summary(rule)),
      el('td', { 'data-testid': 'alert-silenced' }, (rule.silenced_by || []).join(', ')));
  }

  function empty(cols, text) {
    return el('tr', {}, el('td', { colspan: cols, class: 'muted' }, text));
  }

  async function load() {
    const data = await api('GET', '/alerts');
    const rules = data.rules || [];
    const now = rules.filter((r) => r.state === 'firing' || r.state === 'pending');
    now.sort((a, b) => (a.state === b.state ? a.name.localeCompare(b.name) : a.state === 'firing' ? -1 : 1));
    const done = rules.filter((r) => r.state === 'resolved');
    show(active, now.length ? now.map(alertRow) : empty(6, 'Nothing is firing or pending.'));
    show(resolved, done.length ? done.map(alertRow) : empty(6, 'Nothing resolved recently.'));
    const list = data.silences || [];
    show(silences, list.length ? list.map((s) => {
      let action = '';
      if (canWrite && s.source !== 'config') {
        const remove = el('button', { type: 'button', class: 'plain', 'aria-label': `Delete silence ${s.id}` }, 'Delete');
        remove.addEventListener('click', async () => {
          try {
            await api('DELETE', `/alerts/silences/${encodeURIComponent(s.id)}`);
            show(message, `Silence ${s.id} was deleted.`);
            await load();
          } catch (e) {
            show(message, el('span', { class: 'error' }, e.message));
          }
        });
        action = remove;
      }
      return el('tr', { 'data-testid': 'silence-row' },
        el('td', { 'data-testid': 'silence-matchers' }, labelText(s.matchers)),
        el('td', {}, formatTime(s.ends_at)),
        el('td', { 'data-testid': 'silence-comment' }, s.comment),
        el('td', {}, s.created_by ? `${s.created_by} (${s.source})` : s.source),
        el('td', {}, action));
    }) : empty(5, 'No silences.'));
  }

  async function tick() {
    try {
      await load();
    } catch (e) {
      if (isOff(e, 'alerting-off')) {
        // Nothing to poll for: alerting starts only with a config that has an alerts section.
        show(root, el('h1', {}, 'Alerts'), alertingOff());
        return;
      }
      show(message, el('span', { class: 'error' }, e.message));
    }
    if (!stopped) timer = setTimeout(tick, REFRESH_MS);
  }

  function table(testid, body, headings) {
    return el('table', { 'data-testid': testid },
      el('thead', {}, el('tr', {}, headings.map((h) => el('th', { scope: 'col' }, h)))), body);
  }

  const alertHeadings = ['Rule', 'State', 'Labels', 'Since', 'Summary', 'Silenced by'];
  let form = null;
  if (canWrite) {
    form = el('form', { class: 'stack card', id: 'create-silence' },
      el('h2', {}, 'New silence'),
      el('label', { for: 'silence-matchers' }, 'Matchers (label=value, separated by commas; such as rule=api-errors)',
        el('input', { id: 'silence-matchers', name: 'matchers', required: true, autocomplete: 'off' })),
      el('label', { for: 'silence-duration' }, 'Duration (such as 30m, 2h, 1d)',
        el('input', { id: 'silence-duration', name: 'duration', required: true, value: '2h', autocomplete: 'off' })),
      el('label', { for: 'silence-comment' }, 'Comment',
        el('input', { id: 'silence-comment', name: 'comment', autocomplete: 'off' })),
      el('div', {}, el('button', { type: 'submit' }, 'Create silence')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const matchers = {};
      for (const part of String(data.get('matchers')).split(',')) {
        const at = part.indexOf('=');
        if (at < 1) {
          show(message, el('span', { class: 'error' }, `Matcher "${part.trim()}" is not label=value.`));
          return;
        }
        matchers[part.slice(0, at).trim()] = part.slice(at + 1).trim();
      }
      try {
        const s = await api('POST', '/alerts/silences', {
          matchers, duration: String(data.get('duration')).trim(), comment: data.get('comment'),
        });
        show(message, `Silence ${s.id} was created; it ends ${formatTime(s.ends_at)}.`);
        form.reset();
        await load();
      } catch (e) {
        show(message, el('span', { class: 'error' }, e.message));
      }
    });
  }

  show(root,
    el('h1', {}, 'Alerts'),
    message,
    el('h2', {}, 'Firing and pending'),
    table('alerts-active', active, alertHeadings),
    el('h2', {}, 'Recently resolved'),
    table('alerts-resolved', resolved, alertHeadings),
    el('h2', {}, 'Silences'),
    table('silences', silences, ['Matchers', 'Ends', 'Comment', 'Created by', '']),
    form);
  tick();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
