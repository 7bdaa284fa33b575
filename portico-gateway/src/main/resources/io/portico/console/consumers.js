import { api } from './api.js';
import { el, show } from './dom.js';

const PAGE = 20;

function groupsOf(object) {
  return Array.isArray(object.groups) ? object.groups.map(String) : [];
}

function keyCount(object) {
  const keys = object.credentials && object.credentials['key-auth'];
  if (Array.isArray(keys)) return keys.length;
  return keys ? 1 : 0;
}

function splitGroups(text) {
  return String(text || '').split(',').map((g) => g.trim()).filter((g) => g.length > 0);
}

/** Rate-limit tiers that apply to these groups: each route's or global rate-limit `groups`. */
function tiers(config, groups) {
  const out = [];
  const look = (where, plugins) => {
    const limit = plugins && plugins['rate-limit'];
    if (!limit || typeof limit.groups !== 'object' || limit.groups === null) return;
    for (const g of groups) {
      if (Object.prototype.hasOwnProperty.call(limit.groups, g)) out.push({ where, group: g, factor: limit.groups[g] });
    }
  };
  look('every route', config.plugins);
  for (const r of config.routes || []) look(`route ${r.name}`, r.plugins);
  for (const s of config.services || []) look(`service ${s.name}`, s.plugins);
  return out;
}

/**
 * Consumers and their credentials: a searchable, paged list; create and delete; groups and the
 * limits they bring; API keys issued, rotated and revoked, each new key shown once in a dialog.
 */
export function consumers(root, current) {
  const canWrite = current.role === 'admin' || current.role === 'operator' || current.kind === 'anonymous';
  const message = el('p', { 'aria-live': 'polite', id: 'consumers-message' });
  const search = el('input', { id: 'consumer-search', type: 'search', name: 'q', autocomplete: 'off' });
  const body = el('tbody');
  const pager = el('p', { class: 'row', 'data-testid': 'consumers-pager' });
  const detail = el('section', { id: 'consumer-detail', 'aria-live': 'polite' });
  const keyText = el('code', { class: 'secret', 'data-testid': 'issued-key' });
  const keyNote = el('p', { id: 'issued-key-note' });
  const closeDialog = el('button', { type: 'button', id: 'issued-key-close' }, 'I have copied it; close');
  const dialog = el('dialog', { id: 'issued-key-dialog', 'aria-label': 'New API key' },
    el('h2', {}, 'New API key'),
    keyNote,
    el('p', {}, keyText),
    el('p', { class: 'muted' }, 'This is the only time the key is shown: the gateway keeps only its hash.'),
    closeDialog);
  closeDialog.addEventListener('click', () => {
    keyText.textContent = '';
    dialog.close();
  });
  dialog.addEventListener('close', () => { keyText.textContent = ''; });

  let offset = 0;
  const fail = (e) => show(message, el('span', { class: 'error' }, e.message));

  function showKey(consumer, answer) {
    show(keyNote, `The key ${answer.id} of ${consumer}:`);
    keyText.textContent = answer.key;
    dialog.showModal();
  }

  async function load() {
    const q = search.value.trim();
    const data = await api('GET', `/consumers?q=${encodeURIComponent(q)}&limit=${PAGE}&offset=${offset}`);
    let items = data.consumers || [];
    let total = data.total;
    if (total === undefined) {
      // A server without paging answers every consumer: filter and page here.
      const needle = q.toLowerCase();
      items = items.filter((c) => !needle || c.name.toLowerCase().includes(needle)
        || groupsOf(c.object).some((g) => g.toLowerCase().includes(needle)));
      total = items.length;
      items = items.slice(offset, offset + PAGE);
    }
    show(body, items.length ? items.map((c) => {
      const open = el('button', { type: 'button', class: 'plain', 'data-testid': 'consumer-open' }, c.name);
      open.addEventListener('click', () => select(c.name).catch(fail));
      return el('tr', { 'data-testid': 'consumer-row' },
        el('td', { 'data-testid': 'consumer-name' }, open),
        el('td', {}, groupsOf(c.object).join(', ')),
        el('td', { class: 'num' }, String(keyCount(c.object))),
        el('td', {}, c.source));
    }) : el('tr', {}, el('td', { colspan: 4, class: 'muted' }, q ? 'No consumer matches.' : 'No consumers yet.')));
    const prev = el('button', { type: 'button', class: 'plain', id: 'consumers-prev', disabled: offset === 0 }, 'Previous');
    const next = el('button', { type: 'button', class: 'plain', id: 'consumers-next', disabled: offset + PAGE >= total }, 'Next');
    prev.addEventListener('click', () => { offset = Math.max(0, offset - PAGE); load().catch(fail); });
    next.addEventListener('click', () => { offset += PAGE; load().catch(fail); });
    show(pager, prev, next, el('span', { class: 'muted' },
      total ? `${offset + 1}–${Math.min(offset + PAGE, total)} of ${total}` : ''));
  }

  async function select(name) {
    const [object, keys, config, quotas] = await Promise.all([
      api('GET', `/consumers/${encodeURIComponent(name)}`),
      api('GET', `/consumers/${encodeURIComponent(name)}/keys`),
      api('GET', '/config').catch(() => ({})),
      api('GET', `/quotas/${encodeURIComponent(name)}`).catch(() => ({ quotas: [] })),
    ]);
    const groups = groupsOf(object);
    const parts = [el('h2', { 'data-testid': 'consumer-title' }, name)];

    const groupInput = el('input', { id: 'consumer-groups', name: 'groups', value: groups.join(', '), autocomplete: 'off', disabled: !canWrite });
    const groupForm = el('form', { class: 'row', id: 'consumer-groups-form' },
      el('label', { for: 'consumer-groups' }, 'Groups (comma-separated)', groupInput),
      canWrite ? el('button', { type: 'submit' }, 'Save groups') : null);
    groupForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await api('PATCH', `/consumers/${encodeURIComponent(name)}`, { groups: splitGroups(groupInput.value) });
        show(message, `The groups of ${name} were saved.`);
        await Promise.all([load(), select(name)]);
      } catch (e) { fail(e); }
    });
    parts.push(groupForm);

    const tierRows = tiers(config.config || config, groups);
    const quotaRows = (quotas.quotas || []).filter((u) => u.limit !== undefined);
    parts.push(el('h3', {}, 'Limits'));
    parts.push(tierRows.length || quotaRows.length
      ? el('table', { 'data-testid': 'consumer-limits' },
        el('thead', {}, el('tr', {},
          el('th', { scope: 'col' }, 'Limit'), el('th', { scope: 'col' }, 'Where'),
          el('th', { scope: 'col' }, 'Detail'))),
        el('tbody', {},
          tierRows.map((t) => el('tr', {}, el('td', {}, 'rate-limit tier'), el('td', {}, t.where),
            el('td', {}, `group ${t.group}: limits × ${t.factor}`))),
          quotaRows.map((u) => el('tr', {}, el('td', {}, `quota ${u.quota}`), el('td', {}, u.window || u.period || ''),
            el('td', {}, `${u.used} of ${u.limit} used, resets ${u.resets}`)))))
      : el('p', { class: 'muted' }, 'No rate-limit tier or quota names this consumer or its groups; the routes\' own limits apply.'));

    parts.push(el('h3', {}, 'API keys'));
    const keyRows = (keys.keys || []).map((k) => {
      const id = k.id;
      const cells = [el('td', { 'data-testid': 'key-id' }, id === null ? '(no id: from the file)' : id)];
      if (canWrite && id !== null) {
        const rotate = el('button', { type: 'button', class: 'plain', 'aria-label': `Rotate key ${id}` }, 'Rotate');
        rotate.addEventListener('click', async () => {
          if (!window.confirm(`Rotate the key ${id}? The old key keeps working as ${id}.previous for the grace period (admin.key-rotation-grace), then expires.`)) return;
          try {
            const answer = await api('POST', `/consumers/${encodeURIComponent(name)}/keys/${encodeURIComponent(id)}/rotate`);
            showKey(name, answer);
            show(message, answer && answer.previous
              ? `The key ${id} was rotated; the old key works as ${answer.previous.id} until ${answer.previous.expires_at}.`
              : `The key ${id} was rotated.`);
          } catch (e) { fail(e); }
        });
        const revoke = el('button', { type: 'button', class: 'plain', 'aria-label': `Revoke key ${id}` }, 'Revoke');
        revoke.addEventListener('click', async () => {
          if (!window.confirm(`Revoke the key ${id}? It stops working at once.`)) return;
          try {
            await api('DELETE', `/consumers/${encodeURIComponent(name)}/keys/${encodeURIComponent(id)}`);
            show(message, `The key ${id} was revoked.`);
            await Promise.all([load(), select(name)]);
          } catch (e) { fail(e); }
        });
        cells.push(el('td', {}, rotate, ' ', revoke));
      } else {
        cells.push(el('td', {}));
      }
      return el('tr', { 'data-testid': 'key-row' }, cells);
    });
    parts.push(el('table', { 'data-testid': 'consumer-keys' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Key id'), el('th', { scope: 'col' }, ''))),
      el('tbody', {}, keyRows.length ? keyRows : el('tr', {}, el('td', { colspan: 2, class: 'muted' }, 'No API keys.')))));
    if (canWrite) {
      const keyId = el('input', { id: 'new-key-id', name: 'id', maxlength: 64, autocomplete: 'off' });
      const issue = el('form', { class: 'row', id: 'issue-key' },
        el('label', { for: 'new-key-id' }, 'Key id (optional)', keyId),
        el('button', { type: 'submit' }, 'Issue a key'));
      issue.addEventListener('submit', async (event) => {
        event.preventDefault();
        try {
          const id = keyId.value.trim();
          const answer = await api('POST', `/consumers/${encodeURIComponent(name)}/keys`, id ? { id } : {});
          showKey(name, answer);
          show(message, `The key ${answer.id} was issued to ${name}.`);
          await Promise.all([load(), select(name)]);
        } catch (e) { fail(e); }
      });
      parts.push(issue);
      const remove = el('button', { type: 'button', class: 'plain', id: 'delete-consumer' }, 'Delete this consumer');
      remove.addEventListener('click', async () => {
        if (!window.confirm(`Delete the consumer ${name} and its keys?`)) return;
        try {
          await api('DELETE', `/consumers/${encodeURIComponent(name)}`);
          show(message, `${name} was deleted.`);
          show(detail);
          await load();
        } catch (e) { fail(e); }
      });
      parts.push(el('p', {}, remove));
    }
    show(detail, el('div', { class: 'card' }, parts));
  }

  const create = el('form', { class: 'stack card', id: 'create-consumer' },
    el('h2', {}, 'New consumer'),
    el('label', { for: 'new-consumer-name' }, 'Name',
      el('input', { id: 'new-consumer-name', name: 'name', required: true, maxlength: 200, autocomplete: 'off' })),
    el('label', { for: 'new-consumer-groups' }, 'Groups (comma-separated)',
      el('input', { id: 'new-consumer-groups', name: 'groups', autocomplete: 'off' })),
    el('div', {}, el('button', { type: 'submit' }, 'Create consumer')));
  create.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(create);
    const name = String(data.get('name')).trim();
    try {
      await api('POST', '/consumers', { name, groups: splitGroups(data.get('groups')) });
      show(message, `The consumer ${name} was created.`);
      create.reset();
      await load();
      await select(name);
    } catch (e) { fail(e); }
  });

  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { offset = 0; load().catch(fail); }, 250);
  });

  show(root,
    el('h1', {}, 'Consumers'),
    message,
    el('label', { for: 'consumer-search' }, 'Search by name or group', search),
    el('table', { 'data-testid': 'consumers' },
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col' }, 'Name'), el('th', { scope: 'col' }, 'Groups'),
        el('th', { scope: 'col', class: 'num' }, 'Keys'), el('th', { scope: 'col' }, 'Source'))),
      body),
    pager,
    detail,
    canWrite ? create : null,
    dialog);
  load().catch(fail);
  return () => { clearTimeout(timer); if (dialog.open) dialog.close(); };
}
