import { api } from './api.js';
import { el, show, formatTime } from './dom.js';

const PAGE = 50;
const MAX = 1000;

/** The audit log, newest first; "Show more" asks for a longer tail (the API's limit, up to 1000). */
export function audit(root) {
  const message = el('p', { 'aria-live': 'polite' });
  const body = el('tbody');
  const more = el('button', { type: 'button', class: 'plain', id: 'audit-more' }, 'Show more');
  let limit = PAGE;

  async function load() {
    const data = await api('GET', `/audit?limit=${limit}`);
    const entries = data.entries || [];
    show(body, entries.length ? entries.map((e) => el('tr', { 'data-testid': 'audit-row' },
      el('td', {}, formatTime(e.time)),
      el('td', { 'data-testid': 'audit-actor' }, e.actor),
      el('td', { 'data-testid': 'audit-action' }, e.action),
      el('td', {}, e.outcome),
      el('td', { class: 'num' }, e.version === undefined ? '' : String(e.version)),
      el('td', {}, e.detail || '')))
      : el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'The audit log is empty.')));
    more.hidden = entries.length < limit || limit >= MAX;
    show(message, `The newest ${entries.length} entries.`);
  }

  more.addEventListener('click', () => {
    limit = Math.min(limit + PAGE, MAX);
    load().catch((e) => show(message, el('span', { class: 'error' }, e.message)));
  });

  show(root,
    el('h1', {}, 'Audit log'),
    message,
    el('table', { 'data-testid': 'audit' },
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col' }, 'Time'), el('th', { scope: 'col' }, 'Who'),
        el('th', { scope: 'col' }, 'Action'), el('th', { scope: 'col' }, 'Outcome'),
        el('th', { scope: 'col', class: 'num' }, 'Version'), el('th', { scope: 'col' }, 'Detail'))),
      body),
    el('div', {}, more));
  load().catch((e) => show(message, el('span', { class: 'error' }, e.message)));
}
