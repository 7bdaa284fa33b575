// The developer portal: the catalogue of published APIs, the signed-in developer's applications,
// subscriptions and keys, and for operators the subscriptions waiting for a decision. It uses the
// portal API under /portal/api/ and the console's sign-in (/auth/...). Every value is rendered as
// text (dom.js), never parsed as HTML.
import { api, ApiError, setCsrf } from './api.js';
import { el, show, formatTime } from './dom.js';
import { deprecatedBadge, plans, quotaText } from './plans.js';

const app = document.getElementById('app');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const whoName = document.getElementById('who-name');
let current = null;

function field(id, label, type, autocomplete, extra = {}) {
  return el('label', { for: id }, label,
    el('input', { id, name: id, type, autocomplete, ...extra }));
}

function failure(node, e) {
  show(node, el('span', { class: 'error' }, e.message));
}

function signInPage(note) {
  nav.hidden = true;
  who.hidden = true;
  const message = el('p', { 'aria-live': 'polite', id: 'sign-in-message' }, note || '');
  const signIn = el('form', { class: 'stack', id: 'sign-in' },
    field('name', 'Account', 'text', 'username', { required: true }),
    field('password', 'Password', 'password', 'current-password', { required: true }),
    el('div', {}, el('button', { type: 'submit' }, 'Sign in')));
  signIn.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(signIn);
    try {
      const session = await api('POST', '/auth/sign-in', { name: data.get('name'), password: data.get('password') });
      setCsrf(session.csrf_token);
      window.location.hash = '#/catalogue';
      await start();
    } catch (e) {
      failure(message, e);
    }
  });
  const signUp = el('form', { class: 'stack', id: 'sign-up' },
    field('new-name', 'New account name', 'text', 'username', { required: true, maxlength: 64 }),
    field('new-password', 'Password (at least 10 characters)', 'password', 'new-password', { required: true, minlength: 10 }),
    el('div', {}, el('button', { type: 'submit', class: 'plain' }, 'Sign up')));
  signUp.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(signUp);
    try {
      await api('POST', '/portal/api/sign-up', { name: data.get('new-name'), password: data.get('new-password') });
      show(message, 'Now sign in with that name and password. If it fails, the name was taken: sign up with another.');
    } catch (e) {
      failure(message, e);
    }
  });
  show(app, el('div', { class: 'card narrow' }, el('h1', {}, 'Sign in to the API portal'), message, signIn,
    el('h2', {}, 'No account yet?'),
    el('p', { class: 'muted' }, 'Sign up, when this portal allows it; otherwise ask an administrator for an invitation.'),
    signUp));
}

// operators take an API out of the catalogue and put it back; developers never see it meanwhile
function publishButton(a) {
  const verb = a.published ? 'unpublish' : 'publish';
  const button = el('button', { type: 'button', class: 'plain', 'data-testid': verb },
    a.published ? 'Unpublish' : 'Publish again');
  const message = el('span', { 'aria-live': 'polite' });
  button.addEventListener('click', async () => {
    try {
      await api('POST', `/portal/api/apis/${encodeURIComponent(a.route)}/${verb}`);
      await catalogue();
    } catch (e) {
      failure(message, e);
    }
  });
  return el('p', {}, button, ' ', message);
}

async function catalogue() {
  const data = await api('GET', '/portal/api/apis');
  const operator = current.role === 'operator' || current.role === 'admin';
  const rows = data.apis.map((a) => el('div', { class: 'card', 'data-testid': 'api' },
    el('h2', {}, a.title, a.published ? null : el('span', { class: 'muted', 'data-testid': 'unpublished' }, ' (unpublished)')),
    el('p', {}, a.description),
    el('p', { class: 'muted' }, 'Route ', el('code', {}, a.route)),
    a.openapi ? el('p', {}, 'OpenAPI document: ', el('code', {}, a.openapi)) : null,
    a.has_document ? el('p', {}, el('a', { href: `#/api/${encodeURIComponent(a.route)}` }, `Operations of ${a.title} and try it`)) : null,
    operator ? publishButton(a) : null));
  const plans = el('table', {},
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Plan'), el('th', { scope: 'col' }, 'Description'),
      el('th', { scope: 'col', class: 'num' }, 'Requests per minute'), el('th', { scope: 'col', class: 'num' }, 'Quota'),
      el('th', { scope: 'col' }, 'Approval'))),
    el('tbody', {}, data.plans.map((p) => el('tr', { 'data-testid': 'catalogue-plan' },
      el('td', {}, p.name, ' ', deprecatedBadge(p)), el('td', {}, p.description), el('td', { class: 'num' }, p.requests_per_minute),
      el('td', { class: 'num' }, quotaText(p)),
      el('td', {}, p.auto_approve ? 'automatic' : 'by an operator')))));
  show(app, el('h1', {}, 'APIs'),
    rows.length ? rows : el('p', { class: 'muted' }, 'No API is published yet.'),
    el('h2', {}, 'Plans'), plans);
}

async function apiPage(route) {
  const data = await api('GET', '/portal/api/apis');
  const a = data.apis.find((x) => x.route === route);
  if (!a) {
    show(app, el('p', { class: 'error' }, `No published API ${route}.`));
    return;
  }
  const viewer = el('div', { id: 'openapi-viewer', class: 'viewer', 'data-testid': 'viewer' });
  const key = field('try-key', "Your application's API key, for “Try it out”", 'password', 'off');
  show(app, el('h1', {}, a.title), el('p', {}, a.description),
    el('p', { class: 'muted' }, 'Calls go to the gateway at ', el('code', {}, data.gateway_url || '(unknown)'),
      ' with your key in the apikey header.'),
    el('div', { class: 'card' }, key),
    a.has_document ? viewer : el('p', { class: 'muted' }, 'No OpenAPI document is published for this API.'));
  if (a.has_document) {
    const { showViewer } = await import('./viewer.js');
    await showViewer(viewer, `/portal/api/apis/${encodeURIComponent(route)}/openapi`,
      () => document.getElementById('try-key').value, data.gateway_url || null);
  }
}

async function applications() {
  const [list, cat] = await Promise.all([api('GET', '/portal/api/applications'), api('GET', '/portal/api/apis')]);
  const message = el('p', { 'aria-live': 'polite', id: 'app-message' });
  const form = el('form', { class: 'row', id: 'create-application' },
    field('app-name', 'Application name', 'text', 'off', { required: true, maxlength: 100 }),
    field('app-description', 'Description', 'text', 'off'),
    el('button', { type: 'submit' }, 'Create application'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await api('POST', '/portal/api/applications', { name: data.get('app-name'), description: data.get('app-description') });
      await applications();
    } catch (e) {
      failure(message, e);
    }
  });
  const cards = list.applications.map((a) => applicationCard(a, cat));
  show(app, el('h1', {}, 'Applications'), message,
    current.role === 'viewer' ? null : form,
    cards.length ? cards : el('p', { class: 'muted' }, 'No application yet.'));
}

function applicationCard(a, cat) {
  const message = el('p', { 'aria-live': 'polite' });
  const subs = el('table', {},
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'API'), el('th', { scope: 'col' }, 'Plan'), el('th', { scope: 'col' }, 'State'))),
    el('tbody', {}, a.subscriptions.map((s) => el('tr', { 'data-testid': 'subscription' },
      el('td', {}, s.api), el('td', {}, s.plan),
      el('td', { class: 'state' }, s.suspended && s.state === 'approved' ? `${s.state}, suspended: the API is unpublished` : s.state)))));
  const apiSelect = el('select', { id: `api-${a.id}`, name: 'api' },
    cat.apis.filter((x) => x.published).map((x) => el('option', { value: x.route }, x.title)));
  // a deprecated plan takes no new subscriptions: it is not offered
  const planSelect = el('select', { id: `plan-${a.id}`, name: 'plan' },
    cat.plans.filter((p) => !p.deprecated).map((p) => el('option', { value: p.name },
      `${p.name} (${p.requests_per_minute}/min${p.quota ? `, ${quotaText(p)}` : ''})`)));
  const subscribe = el('form', { class: 'row subscribe' },
    el('label', { for: `api-${a.id}` }, 'API', apiSelect),
    el('label', { for: `plan-${a.id}` }, 'Plan', planSelect),
    el('button', { type: 'submit' }, 'Subscribe'));
  subscribe.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api('POST', `/portal/api/applications/${encodeURIComponent(a.id)}/subscriptions`,
        { api: apiSelect.value, plan: planSelect.value });
      await applications();
    } catch (e) {
      failure(message, e);
    }
  });
  const keyButton = el('button', { type: 'button', class: 'plain' }, 'Issue an API key');
  keyButton.addEventListener('click', async () => {
    try {
      const k = await api('POST', `/portal/api/applications/${encodeURIComponent(a.id)}/keys`);
      show(message, 'The new key, shown this once: ', el('span', { class: 'secret', 'data-testid': 'new-key' }, k.key));
    } catch (e) {
      failure(message, e);
    }
  });
  const usage = el('div', { 'data-testid': 'usage' });
  api('GET', `/portal/api/applications/${encodeURIComponent(a.id)}/usage`).then((u) => show(usage, usageView(u)))
    .catch(() => {});
  const writable = current.role !== 'viewer';
  return el('div', { class: 'card', 'data-testid': 'application' },
    el('h2', {}, a.name),
    el('p', {}, a.description),
    el('p', { class: 'muted' }, `Created ${formatTime(a.created)}; keys: ${a.keys.length}`),
    subs, writable && cat.apis.some((x) => x.published) ? subscribe : null, writable ? keyButton : null, message, usage);
}

function usageView(u) {
  const rows = [];
  const add = (term, value) => rows.push(el('dt', {}, term), el('dd', {}, String(value)));
  if (u.available) {
    add('Requests', u.requests);
    add('Client errors (4xx)', u.client_errors);
    add('Server errors (5xx)', u.server_errors);
    const ms = (v) => (v < 0 ? '–' : `≤ ${v} ms`);
    add('Latency p50', ms(u.latency_ms.p50));
    add('Latency p99', ms(u.latency_ms.p99));
    if (u.ai) {
      add('AI tokens (prompt / completion)', `${u.ai.prompt_tokens} / ${u.ai.completion_tokens}`);
      add('AI cost', u.ai.cost.toFixed(4));
    }
  }
  for (const q of u.quotas || []) {
    const span = q.window === 'rolling' ? `in the last ${q.period}` : `this ${q.period}`;
    add(`Quota of ${q.api} (${q.plan})`, q.error ? q.error
      : `${q.used} of ${q.limit} ${span}; ${q.remaining} left, more from ${formatTime(q.resets)}`);
  }
  return [el('h3', {}, 'Usage since the gateway started'),
    u.available ? null : el('p', { class: 'muted' }, u.reason),
    rows.length ? el('dl', { class: 'usage' }, rows) : null];
}

async function invitations() {
  const data = await api('GET', '/portal/api/invitations');
  const message = el('p', { 'aria-live': 'polite', id: 'invite-message' });
  const form = el('form', { class: 'row', id: 'invite' },
    field('invite-note', 'Whom it is for (a note)', 'text', 'off', { maxlength: 200 }),
    el('button', { type: 'submit' }, 'Create an invitation link'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const inv = await api('POST', '/portal/api/invitations', { note: new FormData(form).get('invite-note') });
      await invitations();
      show(document.getElementById('invite-message'), 'The link, shown this once; it works once, until ',
        formatTime(inv.expires), ': ',
        el('span', { class: 'secret', 'data-testid': 'invite-link' }, window.location.origin + inv.path));
    } catch (e) {
      failure(message, e);
    }
  });
  const rows = data.invitations.map((i) => {
    const withdraw = el('button', { type: 'button', class: 'plain' }, 'Withdraw');
    withdraw.addEventListener('click', async () => {
      try {
        await api('DELETE', `/portal/api/invitations/${encodeURIComponent(i.id)}`);
        await invitations();
      } catch (e) {
        failure(message, e);
      }
    });
    return el('tr', {}, el('td', {}, i.note), el('td', {}, i.invited_by), el('td', {}, formatTime(i.expires)),
      el('td', {}, current.role === 'viewer' ? '' : withdraw));
  });
  show(app, el('h1', {}, 'Invitations'), current.role === 'viewer' ? null : form, message,
    rows.length
      ? el('table', {}, el('thead', {}, el('tr', {}, ['For', 'Invited by', 'Expires', ''].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, rows))
      : el('p', { class: 'muted' }, 'No invitation is pending.'));
}

function acceptPage(token) {
  // The token stays out of the history, the address bar and any Referer from here on.
  history.replaceState(null, '', window.location.pathname);
  nav.hidden = true;
  who.hidden = true;
  const message = el('p', { 'aria-live': 'polite', id: 'accept-message' });
  const form = el('form', { class: 'stack', id: 'accept' },
    field('invited-name', 'Account name', 'text', 'username', { required: true, maxlength: 64 }),
    field('invited-password', 'Password (at least 10 characters)', 'password', 'new-password', { required: true, minlength: 10 }),
    el('div', {}, el('button', { type: 'submit' }, 'Create my account')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await api('POST', '/portal/api/invitations/accept',
        { token, name: data.get('invited-name'), password: data.get('invited-password') });
      history.replaceState(null, '', '/portal/');
      signInPage('Your developer account is ready: sign in.');
    } catch (e) {
      failure(message, e);
    }
  });
  show(app, el('div', { class: 'card narrow' }, el('h1', {}, 'Accept your invitation'), message, form));
}

async function approvals() {
  const data = await api('GET', '/portal/api/subscriptions?state=pending');
  const message = el('p', { 'aria-live': 'polite' });
  const rows = data.subscriptions.map((s) => {
    const approve = el('button', { type: 'button' }, 'Approve');
    const reject = el('button', { type: 'button', class: 'plain' }, 'Reject');
    const decide = (verb) => async () => {
      try {
        await api('POST', `/portal/api/subscriptions/${encodeURIComponent(s.id)}/${verb}`);
        await approvals();
      } catch (e) {
        failure(message, e);
      }
    };
    approve.addEventListener('click', decide('approve'));
    reject.addEventListener('click', decide('reject'));
    const decision = current.role === 'viewer' ? el('span', { class: 'muted' }, 'operators decide') : [approve, ' ', reject];
    return el('tr', { 'data-testid': 'pending' },
      el('td', {}, s.application_name || s.application), el('td', {}, s.owner || ''),
      el('td', {}, s.api), el('td', {}, s.plan), el('td', {}, decision));
  });
  show(app, el('h1', {}, 'Subscriptions waiting for approval'), message,
    rows.length
      ? el('table', {}, el('thead', {}, el('tr', {}, ['Application', 'Owner', 'API', 'Plan', 'Decision'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, rows))
      : el('p', { class: 'muted' }, 'Nothing is waiting.'));
}

async function route() {
  const parts = (window.location.hash.replace(/^#\/?/, '') || 'catalogue').split('?')[0].split('/');
  const page = parts[0];
  for (const a of nav.querySelectorAll('a')) {
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  try {
    if (page === 'applications') await applications();
    else if (page === 'api' && parts[1]) await apiPage(decodeURIComponent(parts[1]));
    else if (page === 'plans' && current.role !== 'developer') await plans(app, current);
    else if (page === 'approvals' && current.role !== 'developer') await approvals();
    else if (page === 'invitations' && current.role !== 'developer') await invitations();
    else await catalogue();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) signInPage();
    else show(app, el('p', { class: 'error' }, e.message));
  }
  app.focus();
}

async function start() {
  const token = inviteToken();
  if (token) {
    acceptPage(token);
    return;
  }
  try {
    current = await api('GET', '/auth/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      signInPage();
      return;
    }
    show(app, el('p', { class: 'error' }, `The portal could not be reached: ${e.message}`));
    return;
  }
  setCsrf(current.csrf_token);
  for (const a of nav.querySelectorAll('a[data-role]')) a.hidden = current.role === 'developer';
  nav.hidden = false;
  who.hidden = false;
  show(whoName, `${current.name} (${current.role})`);
  await route();
}

document.getElementById('sign-out').addEventListener('click', async () => {
  try { await api('POST', '/auth/sign-out'); } catch (e) { /* signed out either way */ }
  setCsrf(null);
  current = null;
  window.location.hash = '';
  signInPage('You are signed out.');
});

function inviteToken() {
  const invite = window.location.hash.match(/^#invite=(pi_[A-Za-z0-9_-]+)$/);
  return invite ? invite[1] : null;
}

window.addEventListener('hashchange', () => {
  const token = inviteToken();
  if (token) acceptPage(token);
  else if (current) route();
});

start();
