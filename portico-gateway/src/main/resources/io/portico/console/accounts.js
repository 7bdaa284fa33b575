import { api } from './api.js';
import { el, show, formatTime } from './dom.js';

const ROLES = ['admin', 'operator', 'viewer', 'developer'];

function roleSelect(id, selected) {
  return el('select', { id, name: 'role' },
    ROLES.map((r) => el('option', { value: r, selected: r === selected }, r)));
}

export function accounts(root) {
  const message = el('p', { 'aria-live': 'polite' });
  const body = el('tbody');
  const form = el('form', { class: 'stack card', id: 'create-account' },
    el('h2', {}, 'New account'),
    el('label', { for: 'new-name' }, 'Name', el('input', { id: 'new-name', name: 'name', required: true, maxlength: 64, autocomplete: 'off' })),
    el('label', { for: 'new-role' }, 'Role', roleSelect('new-role', 'viewer')),
    el('label', { for: 'new-password' }, 'Initial password (at least 10 characters)',
      el('input', { id: 'new-password', name: 'password', type: 'password', required: true, minlength: 10, autocomplete: 'new-password' })),
    el('div', {}, el('button', { type: 'submit' }, 'Create account')));

  async function load() {
    const data = await api('GET', '/accounts');
    show(body, data.accounts.map((a) => {
      const select = roleSelect(`role-${a.name}`, a.role);
      select.setAttribute('aria-label', `Role of ${a.name}`);
      select.addEventListener('change', async () => {
        try {
          await api('PATCH', `/accounts/${encodeURIComponent(a.name)}`, { role: select.value });
          show(message, `The role of ${a.name} is now ${select.value}.`);
        } catch (e) {
          show(message, el('span', { class: 'error' }, e.message));
          select.value = a.role;
        }
      });
      const remove = el('button', { type: 'button', class: 'plain' }, 'Delete');
      remove.setAttribute('aria-label', `Delete ${a.name}`);
      remove.addEventListener('click', async () => {
        if (!window.confirm(`Delete the account ${a.name}?`)) return;
        try {
          await api('DELETE', `/accounts/${encodeURIComponent(a.name)}`);
          await load();
          show(message, `${a.name} was deleted.`);
        } catch (e) {
          show(message, el('span', { class: 'error' }, e.message));
        }
      });
      return el('tr', { 'data-testid': 'account-row' },
        el('td', { 'data-testid': 'account-name' }, a.name),
        el('td', {}, select),
        el('td', {}, formatTime(a.created)),
        el('td', { class: 'num' }, String(a.tokens)),
        el('td', {}, remove));
    }));
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await api('POST', '/accounts', {
        name: data.get('name'), role: data.get('role'), password: data.get('password'),
      });
      show(message, `The account ${data.get('name')} was created.`);
      form.reset();
      await load();
    } catch (e) {
      show(message, el('span', { class: 'error' }, e.message));
    }
  });

  show(root,
    el('h1', {}, 'Accounts'),
    message,
    el('table', { 'data-testid': 'accounts' },
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col' }, 'Name'), el('th', { scope: 'col' }, 'Role'),
        el('th', { scope: 'col' }, 'Created'), el('th', { scope: 'col', class: 'num' }, 'API tokens'),
        el('th', { scope: 'col' }, ''))),
      body),
    form);
  load().catch((e) => show(message, el('span', { class: 'error' }, e.message)));
}
