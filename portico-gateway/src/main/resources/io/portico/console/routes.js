// The routes pages: #/routes (searched, paged list, compiled view) and #/routes/{name} (the
// route's plugins in run order and the editor); #/routes/new creates one.
import { api } from './api.js';
import { el, show } from './dom.js';
import { PAGE, decodeName, writes, errorText, listPage, listField, textField, objectEditor, readObject } from './objects.js';

const FIELDS = [
  listField('paths', 'Paths (comma-separated)'),
  textField('service', 'Service'),
  listField('methods', 'Methods (comma-separated; all when empty)'),
  listField('hosts', 'Hosts (comma-separated; any when empty)'),
];

export function routes(root, who, name) {
  if (name === 'new') return edit(root, who, null);
  if (name) return edit(root, who, decodeName(name));
  return listPage(root, {
    kind: 'routes',
    title: 'Routes',
    actions: writes(who) ? el('a', { href: '#/routes/new', class: 'button', id: 'routes-new' }, 'New route') : null,
    empty: 'No route yet. A route matches requests by path, host or method and sends them to a service'
      + ' (or answers them with a plugin such as mock)'
      + (writes(who) ? ': make the first with New route, or in the config file.' : '.'),
    columns: [
      ['Name', (r) => el('a', { href: `#/routes/${encodeURIComponent(r.name)}`, 'data-testid': 'route-name' }, r.name)],
      ['Paths', (r) => r.paths.join(', ')],
      ['Service', (r) => r.service || ''],
      ['Plugins', (r) => r.plugins.join(' → ')],
      ['Source', (r) => r.source || ''],
    ],
    load: async (q, offset) => {
      const data = await api('GET', `/routes?q=${encodeURIComponent(q)}&limit=${PAGE}&offset=${offset}`);
      return { total: data.total, items: data.routes };
    },
  });
}

/** The compiled view of one route (GET /routes searches names, paths and services). */
async function compiled(name) {
  const data = await api('GET', `/routes?q=${encodeURIComponent(name)}&limit=500`);
  return data.routes.find((r) => r.name === name) || null;
}

async function edit(root, who, name) {
  const message = el('p', { 'aria-live': 'polite' });
  const chain = el('div');
  const editorSlot = el('div');
  show(root,
    el('p', {}, el('a', { href: '#/routes' }, '← Routes')),
    el('h1', {}, name === null ? 'New route' : `Route ${name}`),
    message, chain, editorSlot);
  try {
    const object = name === null ? { paths: ['/'] } : await readObject('routes', name);
    if (object === null) {
      show(message, el('span', { class: 'error' }, `There is no route ${name}.`));
      return;
    }
    show(editorSlot, objectEditor({
      kind: 'routes',
      name,
      object,
      fields: FIELDS,
      plugins: true,
      canWrite: writes(who),
      onApplied: (saved) => {
        if (window.location.hash === `#/routes/${encodeURIComponent(saved)}`) edit(root, who, saved);
        else window.location.hash = `#/routes/${encodeURIComponent(saved)}`;
      },
      onDeleted: () => { window.location.hash = '#/routes'; },
    }));
    if (name !== null) {
      const view = await compiled(name);
      const plugins = view ? view.plugins : [];
      show(chain,
        el('h2', {}, 'Plugins in run order'),
        plugins.length
          ? el('ol', { 'data-testid': 'route-plugins' }, plugins.map((p) => el('li', {}, p)))
          : el('p', { class: 'muted', 'data-testid': 'route-plugins' }, 'No plugins run on this route.'));
    }
  } catch (e) {
    show(message, errorText(e));
  }
}
