import { api, ApiError, setCsrf } from './api.js';
import { el, show } from './dom.js';
import { overview } from './overview.js';
import { accounts } from './accounts.js';
import { me } from './me.js';
import { alerts } from './alerts.js';
import { audit } from './audit.js';
import { services } from './services.js';
import { routes } from './routes.js';
import { globalPlugins } from './globalplugins.js';
import { history as historyPage } from './history.js';
import { consumers } from './consumers.js';
import { logs } from './logs.js';
import { ai } from './ai.js';

const app = document.getElementById('app');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const whoName = document.getElementById('who-name');
let current = null;
let stop = null;

function fieldset(id, label, type, autocomplete, extra = {}) {
  return el('label', { for: id }, label,
    el('input', { id, name: id, type, required: true, autocomplete, ...extra }));
}

function signInPage(note) {
  nav.hidden = true;
  who.hidden = true;
  const message = el('p', { 'aria-live': 'polite', id: 'sign-in-message' }, note || '');
  const form = el('form', { class: 'stack', id: 'sign-in' },
    fieldset('name', 'Account', 'text', 'username'),
    fieldset('password', 'Password', 'password', 'current-password'),
    el('div', {}, el('button', { type: 'submit' }, 'Sign in')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const session = await api('POST', '/auth/sign-in', { name: data.get('name'), password: data.get('password') });
      setCsrf(session.csrf_token);
      window.location.hash = '#/overview';
      await start();
    } catch (e) {
      show(message, el('span', { class: 'error' }, e.message));
    }
  });
  show(app, el('div', { class: 'card narrow' }, el('h1', {}, 'Sign in to Portico'), message, form));
}

function setupPage(token) {
  nav.hidden = true;
  who.hidden = true;
  const message = el('p', { 'aria-live': 'polite', id: 'setup-message' });
  const form = el('form', { class: 'stack', id: 'setup' },
    fieldset('name', 'Admin account name', 'text', 'username', { value: 'admin', maxlength: 64 }),
    fieldset('password', 'Password (at least 10 characters)', 'password', 'new-password', { minlength: 10 }),
    el('div', {}, el('button', { type: 'submit' }, 'Create the admin account')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const session = await api('POST', '/auth/setup', { token, name: data.get('name'), password: data.get('password') });
      setCsrf(session.csrf_token);
      window.location.hash = '#/overview';
      await start();
    } catch (e) {
      show(message, el('span', { class: 'error' }, e.message));
    }
  });
  show(app, el('div', { class: 'card narrow' },
    el('h1', {}, 'Set up Portico'),
    el('p', {}, 'Create the first account. It has the admin role; this link then stops working.'),
    message, form));
}

function route() {
  if (stop) { stop(); stop = null; }
  // A developer has only its own account here; every other page would be refused by the API.
  const page = current.role === 'developer'
    ? 'me' : (window.location.hash.replace(/^#\/?/, '') || 'overview').split('?')[0];
  for (const a of nav.querySelectorAll('a')) {
    if (a.dataset.page === page.split('/')[0]) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (page === 'accounts' && current.role === 'admin') accounts(app);
  else if (page === 'me') me(app, current);
  else if (page === 'alerts') stop = alerts(app, current);
  else if (page === 'audit') audit(app);
  else if (/^(services|routes)(\/|$)/.test(page)) {
    const [section, ...name] = page.split('/');
    const pages = { services, routes };
    pages[section](app, current, name.length ? name.join('/') : null);
  } else if (page === 'plugins') globalPlugins(app, current);
  else if (page === 'history') historyPage(app, current);
  else if (page === 'consumers') stop = consumers(app, current);
  else if (page === 'logs') stop = logs(app);
  else if (page === 'ai') stop = ai(app, current);
  else stop = overview(app);
  if (current.kind === 'anonymous') {
    app.prepend(el('p', { class: 'notice' }, current.setup_pending
      ? 'No account exists yet, so this loopback admin API is open to every local caller. Open the one-time setup link that the gateway printed at start to create the admin account.'
      : 'No account exists yet, so this loopback admin API is open to every local caller.'));
  }
  app.focus();
}

async function start() {
  try {
    current = await api('GET', '/auth/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      signInPage();
      return;
    }
    show(app, el('p', { class: 'error' }, `The admin API could not be reached: ${e.message}`));
    return;
  }
  setCsrf(current.csrf_token);
  for (const a of nav.querySelectorAll('a[data-role]')) a.hidden = a.dataset.role !== current.role;
  // Developers use the portal; the admin API refuses them everything but their own account.
  for (const a of nav.querySelectorAll('a[data-not-role]')) a.hidden = a.dataset.notRole === current.role;
  nav.hidden = false;
  who.hidden = false;
  show(whoName, `${current.name} (${current.role})`);
  route();
}

document.getElementById('sign-out').addEventListener('click', async () => {
  try { await api('POST', '/auth/sign-out'); } catch (e) { /* signed out either way */ }
  setCsrf(null);
  current = null;
  if (stop) { stop(); stop = null; }
  window.location.hash = '';
  signInPage('You are signed out.');
});

window.addEventListener('hashchange', () => {
  if (current && !window.location.hash.startsWith('#setup=')) route();
});

const setup = /^#setup=([A-Za-z0-9_-]+)$/.exec(window.location.hash);
if (setup) {
  // The token stays out of the history, the address bar and any Referer.
  window.history.replaceState(null, '', window.location.pathname);
  setupPage(setup[1]);
} else {
  start();
}
