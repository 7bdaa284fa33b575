// The config history: #/history lists the kept versions; each shows its diff with the version
// before it (GET /config/diff) and may be rolled back to, after a confirmation.
import { api } from './api.js';
import { el, show, formatTime } from './dom.js';
import { writes, errorText, diffBlock } from './objects.js';

export function history(root, who) {
  const canWrite = writes(who);
  const message = el('p', { 'aria-live': 'polite', 'data-testid': 'history-message' });
  const body = el('tbody');
  const detail = el('div', { class: 'card', 'data-testid': 'version-diff', hidden: true });

  async function showDiff(v) {
    const data = await api('GET', `/config/diff?from=${v.number - 1}&to=${v.number}`);
    const list = (label, keys) => (keys && keys.length ? el('p', {}, `${label}: `, keys.join(', ')) : null);
    show(detail,
      el('h2', {}, `Version ${v.number} against ${v.number - 1}`),
      list('Added', data.added), list('Changed', data.changed), list('Removed', data.removed),
      data.diff === undefined ? null : diffBlock(data.diff, 'version-diff-text'));
    detail.hidden = false;
  }

  async function rollBack(v) {
    if (!window.confirm(`Make the objects of version ${v.number} current again, as a new version?`)) return;
    try {
      const result = await api('POST', `/config/versions/${v.number}/rollback`);
      show(message, `Rolled back to version ${v.number}: now version ${result.version}.`);
      await load();
    } catch (e) {
      show(message, errorText(e));
    }
  }

  async function load() {
    const data = await api('GET', '/config/versions');
    const versions = data.versions || [];
    show(body, versions.length ? versions.map((v) => {
      const diff = el('button', { type: 'button', class: 'plain', 'aria-label': `Diff of version ${v.number}` }, 'Diff');
      diff.disabled = !versions.some((o) => o.number === v.number - 1);
      diff.addEventListener('click', () => showDiff(v).catch((e) => show(message, errorText(e))));
      const back = canWrite
        ? el('button', { type: 'button', class: 'plain', 'data-testid': 'rollback', 'aria-label': `Roll back to version ${v.number}` }, 'Roll back')
        : null;
      if (back) back.addEventListener('click', () => rollBack(v));
      return el('tr', { 'data-testid': 'version-row' },
        el('td', { class: 'num', 'data-testid': 'version-number' }, String(v.number)),
        el('td', {}, formatTime(v.time)),
        el('td', {}, v.actor),
        el('td', { 'data-testid': 'version-action' }, v.action),
        el('td', {}, v.changed.join(', ')),
        el('td', {}, diff, back));
    }) : el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'No version has been written through the API yet.')));
  }

  show(root,
    el('h1', {}, 'Config history'),
    message,
    el('table', { 'data-testid': 'versions' },
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col', class: 'num' }, 'Version'), el('th', { scope: 'col' }, 'Time'),
        el('th', { scope: 'col' }, 'Who'), el('th', { scope: 'col' }, 'Action'),
        el('th', { scope: 'col' }, 'Objects'), el('th', { scope: 'col' }, ''))),
      body),
    detail);
  load().catch((e) => show(message, errorText(e)));
}
