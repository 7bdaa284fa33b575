import { api } from './api.js';
import { el, show, formatTime } from './dom.js';

export function me(root, who) {
  const message = el('p', { 'aria-live': 'polite' });
  const sessions = el('tbody');
  const tokens = el('tbody');
  const newToken = el('div');

  const password = el('form', { class: 'stack card', id: 'change-password' },
    el('h2', {}, 'Password'),
    el('label', { for: 'current-password' }, 'Current password',
      el('input', { id: 'current-password', name: 'current', type: 'password', required: true, autocomplete: 'current-password' })),
    el('label', { for: 'new-password' }, 'New password (at least 10 characters)',
      el('input', { id: 'new-password', name: 'new', type: 'password', required: true, minlength: 10, autocomplete: 'new-password' })),
    el('div', {}, el('button', { type: 'submit' }, 'Change password')));
  password.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(password);
    try {
      await api('POST', '/auth/password', { current: data.get('current'), new: data.get('new') });
      password.reset();
      show(message, 'The password was changed; your other sessions were ended.');
      await loadSessions();
    } catch (e) {
      show(message, el('span', { class: 'error' }, e.message));
    }
  });

  const tokenForm = el('form', { class: 'row', id: 'create-token' },
    el('label', { for: 'token-name' }, 'Token name', el('input', { id: 'token-name', name: 'name', required: true, maxlength: 64 })),
    el('button', { type: 'submit' }, 'Create token'));
  tokenForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const t = await api('POST', '/auth/tokens', { name: new FormData(tokenForm).get('name') });
      tokenForm.reset();
      show(newToken, el('div', { class: 'card' },
        el('p', {}, `The token ${t.name} acts with your role (${t.role}). Copy it now: it is not shown again.`),
        el('p', { class: 'secret', 'data-testid': 'new-token' }, t.token)));
      await loadTokens();
    } catch (e) {
      show(message, el('span', { class: 'error' }, e.message));
    }
  });

  async function loadSessions() {
    const data = await api('GET', '/auth/sessions');
    show(sessions, data.sessions.map((s) => {
      const revoke = el('button', { type: 'button', class: 'plain' }, s.current ? 'Sign out' : 'Revoke');
      revoke.addEventListener('click', async () => {
        await api('DELETE', `/auth/sessions/${encodeURIComponent(s.id)}`);
        if (s.current) window.location.reload();
        else await loadSessions();
      });
      return el('tr', {},
        el('td', {}, s.current ? `${s.id} (this one)` : s.id),
        el('td', {}, formatTime(s.created)),
        el('td', {}, formatTime(s.last_seen)),
        el('td', {}, s.address),
        el('td', {}, s.user_agent),
        el('td', {}, revoke));
    }));
  }

  async function loadTokens() {
    const data = await api('GET', '/auth/tokens');
    show(tokens, data.tokens.length ? data.tokens.map((t) => {
      const revoke = el('button', { type: 'button', class: 'plain' }, 'Revoke');
      revoke.setAttribute('aria-label', `Revoke ${t.name}`);
      revoke.addEventListener('click', async () => {
        await api('DELETE', `/auth/tokens/${encodeURIComponent(t.id)}`);
        show(newToken);
        await loadTokens();
      });
      return el('tr', {}, el('td', {}, t.name), el('td', {}, t.id), el('td', {}, formatTime(t.created)), el('td', {}, revoke));
    }) : el('tr', {}, el('td', { colspan: 4, class: 'muted' }, 'No token.')));
  }

  const isAccount = who.kind === 'session' || who.kind === 'account-token';
  show(root,
    el('h1', {}, 'My account'),
    el('p', {}, `Signed in as ${who.name}, role ${who.role}.`),
    message,
    isAccount ? password : el('p', { class: 'notice' }, 'This caller is not an account: it has no password, sessions or tokens here.'),
    isAccount ? el('section', { class: 'card' },
      el('h2', {}, 'Sessions'),
      el('table', {}, el('thead', {}, el('tr', {},
        el('th', { scope: 'col' }, 'Session'), el('th', { scope: 'col' }, 'Signed in'), el('th', { scope: 'col' }, 'Last used'),
        el('th', { scope: 'col' }, 'Address'), el('th', { scope: 'col' }, 'Browser'), el('th', { scope: 'col' }, ''))), sessions)) : null,
    isAccount ? el('section', { class: 'card' },
      el('h2', {}, 'Admin API tokens'),
      el('p', { class: 'muted' }, 'For scripts: send it as Authorization: Bearer <token>. It can do what your role can, no more.'),
      tokenForm, newToken,
      el('table', {}, el('thead', {}, el('tr', {},
        el('th', { scope: 'col' }, 'Name'), el('th', { scope: 'col' }, 'Id'), el('th', { scope: 'col' }, 'Created'), el('th', { scope: 'col' }, ''))), tokens)) : null);
  if (isAccount) {
    loadSessions().catch((e) => show(message, el('span', { class: 'error' }, e.message)));
    loadTokens().catch((e) => show(message, el('span', { class: 'error' }, e.message)));
  }
}
