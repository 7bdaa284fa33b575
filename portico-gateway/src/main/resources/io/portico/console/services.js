// The services pages: #/services (searched, paged list) and #/services/{name} (endpoint health,
// discovery state and the editor, with the forms of the plugins that run on every route to the
// service); #/services/new creates one.
import { api } from './api.js';
import { el, show, formatTime } from './dom.js';
import { PAGE, decodeName, writes, errorText, listPage, listField, textField, objectEditor, readObject } from './objects.js';

const FIELDS = [
  listField('targets', 'Targets (host:port, comma-separated)'),
  textField('protocol', 'Protocol (http1, h2c, h2 …)'),
];

export function services(root, who, name) {
  if (name === 'new') return edit(root, who, null);
  if (name) return edit(root, who, decodeName(name));
  const canWrite = writes(who);
  return listPage(root, {
    kind: 'services',
    title: 'Services',
    actions: canWrite ? el('a', { href: '#/services/new', class: 'button', id: 'services-new' }, 'New service') : null,
    empty: 'No service yet. A service is where routes send requests: its targets (host:port) or a'
      + ' discovery source' + (canWrite ? '. Make the first with New service, or in the config file.' : '.'),
    columns: [
      ['Name', (s) => el('a', { href: `#/services/${encodeURIComponent(s.name)}`, 'data-testid': 'service-name' }, s.name)],
      ['Targets', (s) => (Array.isArray(s.object.targets) ? s.object.targets.join(', ') : (s.object.discovery ? 'discovery' : ''))],
      ['Plugins', (s) => (s.object.plugins && typeof s.object.plugins === 'object' ? Object.keys(s.object.plugins).join(', ') : '')],
      ['Source', (s) => s.source],
    ],
    load: async (q, offset) => {
      const data = await api('GET', `/services?q=${encodeURIComponent(q)}&limit=${PAGE}&offset=${offset}`);
      return { total: data.total, items: data.services };
    },
  });
}

function healthTable(health) {
  return el('table', { 'data-testid': 'service-health' },
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col' }, 'Endpoint'), el('th', { scope: 'col' }, 'Available'),
      el('th', { scope: 'col' }, 'Active probe'), el('th', { scope: 'col' }, 'Ejected'),
      el('th', { scope: 'col', class: 'num' }, 'In flight'))),
    el('tbody', {}, health.endpoints.length ? health.endpoints.map((e) => el('tr', { 'data-testid': 'endpoint-row' },
      el('td', {}, e.address),
      el('td', { class: 'state' }, e.available ? 'yes' : 'no'),
      el('td', {}, e.active ? e.active.state : 'not probed'),
      el('td', {}, e.passive ? (e.passive.ejected ? 'ejected' : 'no') : '–'),
      el('td', { class: 'num' }, e.in_flight === null ? '–' : String(e.in_flight))))
      : el('tr', {}, el('td', { colspan: 5, class: 'muted' }, 'No endpoints.'))));
}

function discovery(entry) {
  if (!entry) return el('p', { class: 'muted' }, 'No discovery state yet.');
  return el('dl', { class: 'facts', 'data-testid': 'service-discovery' },
    el('dt', {}, 'Source'), el('dd', {}, entry.discovery),
    el('dt', {}, 'State'), el('dd', {}, entry.state),
    el('dt', {}, 'Endpoints'), el('dd', {}, String(entry.endpoints)),
    entry.reason ? [el('dt', {}, 'Reason'), el('dd', {}, entry.reason)] : null,
    entry.last_error ? [el('dt', {}, 'Last error'), el('dd', {}, entry.last_error)] : null,
    el('dt', {}, 'Changed'), el('dd', {}, formatTime(entry.changed_at)));
}

async function edit(root, who, name) {
  const message = el('p', { 'aria-live': 'polite' });
  const state = el('div');
  const editorSlot = el('div');
  show(root,
    el('p', {}, el('a', { href: '#/services' }, '← Services')),
    el('h1', {}, name === null ? 'New service' : `Service ${name}`),
    message, state, editorSlot);
  try {
    const object = name === null ? { targets: [] } : await readObject('services', name);
    if (object === null) {
      show(message, el('span', { class: 'error' }, `There is no service ${name}.`));
      return;
    }
    show(editorSlot, objectEditor({
      kind: 'services',
      name,
      object,
      fields: FIELDS,
      plugins: true,
      canWrite: writes(who),
      onApplied: (saved) => {
        if (window.location.hash === `#/services/${encodeURIComponent(saved)}`) edit(root, who, saved);
        else window.location.hash = `#/services/${encodeURIComponent(saved)}`;
      },
      onDeleted: () => { window.location.hash = '#/services'; },
    }));
    if (name !== null) {
      const [health, status] = await Promise.all([
        api('GET', `/services/${encodeURIComponent(name)}/health`).catch(() => null),
        api('GET', '/status'),
      ]);
      show(state,
        el('h2', {}, 'Discovery'),
        discovery(status.services && status.services[name]),
        el('h2', {}, 'Endpoint health'),
        health ? healthTable(health) : el('p', { class: 'muted' }, 'Not running yet.'));
    }
  } catch (e) {
    show(message, errorText(e));
  }
}
