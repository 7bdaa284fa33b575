// The parts of the services and routes pages they share: a searched, paged list (the admin API
// searches and pages), and an object's editor: a form for the common fields over a JSON editor of
// the whole object, a dry run that shows the YAML diff to confirm, and problems shown at their
// field by their JSON path. Everything is rendered as text.
import { api, apiWithEtag, ApiError } from './api.js';
import { el, show } from './dom.js';
import { pluginSection } from './pluginform.js';

export const PAGE = 50;

/** Whether the signed-in caller may change config objects (the server checks it too). */
export function writes(who) {
  return who.kind === 'anonymous' || who.role === 'admin' || who.role === 'operator';
}

/** The object name of a page address (#/routes/{name}); the raw text when it is not encoded well. */
export function decodeName(text) {
  try {
    return decodeURIComponent(text);
  } catch (e) {
    return text;
  }
}

export function errorText(e) {
  return el('span', { class: 'error' }, e.message);
}

/**
 * A list of one kind: a search box, a table of one page and the paging buttons.
 * columns: [[heading, item => text or node], ...]; load(q, offset) answers {total, items};
 * empty: what the table says when there is nothing at all (what the kind is, how to make one).
 */
export function listPage(root, { kind, title, columns, load, actions, empty }) {
  const message = el('p', { 'aria-live': 'polite', id: `${kind}-status` });
  const search = el('input', { id: `${kind}-q`, type: 'search', autocomplete: 'off' });
  const body = el('tbody');
  const previous = el('button', { type: 'button', class: 'plain', id: `${kind}-previous` }, 'Previous');
  const next = el('button', { type: 'button', class: 'plain', id: `${kind}-next` }, 'Next');
  let offset = 0;
  let timer = null;

  async function refresh() {
    const q = search.value.trim();
    const page = await load(q, offset);
    show(body, page.items.length ? page.items.map((item) => el('tr', { 'data-testid': `${kind}-row` },
      columns.map(([, cell]) => el('td', {}, cell(item)))))
      : el('tr', {}, el('td', { colspan: columns.length, class: 'muted' }, q ? `Nothing matches “${q}”.` : (empty || 'None yet.'))));
    previous.disabled = offset === 0;
    next.disabled = offset + PAGE >= page.total;
    show(message, page.total === 0 ? '0 found.'
      : `${offset + 1}–${offset + page.items.length} of ${page.total}.`);
  }
  const run = () => refresh().catch((e) => show(message, errorText(e)));
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { offset = 0; run(); }, 250);
  });
  previous.addEventListener('click', () => { offset = Math.max(0, offset - PAGE); run(); });
  next.addEventListener('click', () => { offset += PAGE; run(); });

  show(root,
    el('h1', {}, title),
    el('div', { class: 'row' },
      el('label', { for: `${kind}-q` }, `Search ${kind}`, search),
      actions || null),
    message,
    el('table', { 'data-testid': `${kind}-list` },
      el('thead', {}, el('tr', {}, columns.map(([heading]) => el('th', { scope: 'col' }, heading)))),
      body),
    el('div', { class: 'row' }, previous, next));
  run();
}

/** A comma-separated text field for a list of strings. */
export function listField(key, label) {
  return {
    key,
    label,
    read: (o) => (Array.isArray(o[key]) ? o[key].join(', ') : (o[key] === undefined ? '' : String(o[key]))),
    write: (o, text) => {
      const items = text.split(',').map((s) => s.trim()).filter((s) => s);
      if (items.length) o[key] = items; else delete o[key];
    },
  };
}

export function textField(key, label) {
  return {
    key,
    label,
    read: (o) => (o[key] === undefined || o[key] === null ? '' : String(o[key])),
    write: (o, text) => { if (text.trim()) o[key] = text.trim(); else delete o[key]; },
  };
}

function pre(text, testid) {
  // One span per line, so additions and removals can be told apart by more than colour.
  return el('pre', { class: 'diff', 'data-testid': testid }, text.split('\n').map((line) => el('span', {
    class: line.startsWith('+') && !line.startsWith('+++') ? 'add'
      : line.startsWith('-') && !line.startsWith('---') ? 'del' : null,
  }, `${line}\n`)));
}

export function diffBlock(text, testid = 'diff') {
  return pre(text || '(no change)', testid);
}

/**
 * The editor of one object: kind ('services', 'routes'), name (null for a new one), the object and
 * the common fields. onApplied(name) after a write; onDeleted() after a delete. With plugins, the
 * object's plugins map is also edited as forms generated from each plugin's schema (pluginform.js).
 */
export function objectEditor({ kind, name, object, fields, canWrite, onApplied, onDeleted, plugins }) {
  const fresh = name === null;
  const problems = el('ul', { class: 'problems', 'data-testid': 'problems' });
  const review = el('div', { class: 'card', 'data-testid': 'review', hidden: true });
  const message = el('p', { 'aria-live': 'polite', 'data-testid': 'editor-message' });
  const json = el('textarea', { id: `${kind}-json`, name: 'json', 'aria-describedby': `${kind}-json-error` });
  json.rows = 16;
  json.spellcheck = false;
  json.value = JSON.stringify(object, null, 2);
  const jsonError = el('p', { class: 'field-error', id: `${kind}-json-error`, 'aria-live': 'polite' });
  const inputs = new Map();
  const errors = new Map();

  const nameInput = el('input', { id: `${kind}-field-name`, name: 'name', autocomplete: 'off', 'aria-describedby': `${kind}-error-name` });
  nameInput.value = fresh ? '' : name;
  nameInput.readOnly = !fresh || !canWrite;
  errors.set('name', el('p', { class: 'field-error', id: `${kind}-error-name`, 'data-testid': 'error-name' }));
  const rows = [el('label', { for: `${kind}-field-name` }, 'Name', nameInput, errors.get('name'))];
  for (const f of fields) {
    const id = `${kind}-field-${f.key}`;
    const input = el('input', { id, name: f.key, autocomplete: 'off', 'aria-describedby': `${kind}-error-${f.key}` });
    input.readOnly = !canWrite;
    const error = el('p', { class: 'field-error', id: `${kind}-error-${f.key}`, 'data-testid': `error-${f.key}` });
    inputs.set(f.key, [f, input]);
    errors.set(f.key, error);
    rows.push(el('label', { for: id }, f.label, input, error));
    input.addEventListener('input', () => {
      const current = parsed();
      if (!current) return;
      f.write(current, input.value);
      json.value = JSON.stringify(current, null, 2);
    });
  }

  function parsed() {
    try {
      const value = JSON.parse(json.value);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('the object (expected: a JSON object)');
      show(jsonError);
      return value;
    } catch (e) {
      show(jsonError, el('span', { class: 'error' }, `Not a JSON object: ${e.message}`));
      return null;
    }
  }
  const section = plugins ? pluginSection({
    canWrite,
    read: parsed,
    write: (value) => { json.value = JSON.stringify(value, null, 2); },
  }) : null;

  function fill() {
    const current = parsed();
    if (!current) return;
    for (const [f, input] of inputs.values()) input.value = f.read(current);
    if (section) section.fill(current);
  }
  json.addEventListener('change', fill);
  fill();

  function clearProblems() {
    for (const [key, node] of errors) {
      show(node);
      const input = key === 'name' ? nameInput : inputs.get(key)[1];
      input.removeAttribute('aria-invalid');
    }
    if (section) section.clear();
    show(problems);
  }

  /** Each problem at its field when its JSON path starts at one ($.paths[0] -> paths), else in the list. */
  function showProblems(list) {
    clearProblems();
    const rest = [];
    for (const p of list) {
      if (section && section.showProblem(p)) continue;
      const key = (/^\$\.([A-Za-z0-9_-]+)/.exec(p.path || '') || [])[1];
      const node = key && errors.get(key);
      if (node) {
        node.appendChild(el('span', { class: 'error' }, `${p.path}: ${p.message}`));
        (key === 'name' ? nameInput : inputs.get(key)[1]).setAttribute('aria-invalid', 'true');
      } else {
        rest.push(p);
      }
    }
    show(problems, rest.map((p) => el('li', {}, `${p.path}: ${p.message}`)));
  }

  // Another writer's change in between answers 412 instead of being overwritten.
  const etag = fresh ? null : etags.get(object);
  const precondition = etag ? { 'If-Match': etag } : undefined;

  function request(dry, remove) {
    const target = fresh ? `/${kind}` : `/${kind}/${encodeURIComponent(name)}`;
    const query = dry ? '?dry_run=true' : '';
    if (remove) return api('DELETE', target + query, undefined, precondition);
    const body = parsed();
    if (!body) return null;
    if (fresh) body.name = nameInput.value.trim();
    return api(fresh ? 'POST' : 'PUT', target + query, body, precondition);
  }

  async function check(remove) {
    review.hidden = true;
    show(message);
    const pending = request(true, remove);
    if (!pending) return;
    try {
      const answer = await pending;
      clearProblems();
      const apply = el('button', { type: 'button', id: `${kind}-apply` }, remove ? 'Delete it' : 'Apply this change');
      const cancel = el('button', { type: 'button', class: 'plain', id: `${kind}-cancel` }, 'Cancel');
      apply.addEventListener('click', async () => {
        apply.disabled = true;
        try {
          const result = await request(false, remove);
          review.hidden = true;
          if (remove) onDeleted();
          else onApplied(fresh ? nameInput.value.trim() : name, result);
        } catch (e) {
          apply.disabled = false;
          if (e instanceof ApiError && e.problem && e.problem.problems) showProblems(e.problem.problems);
          show(message, errorText(e));
        }
      });
      cancel.addEventListener('click', () => { review.hidden = true; });
      show(review,
        el('h2', {}, remove ? 'Delete: review the change' : 'Review the change'),
        el('p', {}, 'Nothing is applied until you confirm. The YAML of the objects, before (-) and after (+):'),
        diffBlock(answer.diff),
        el('div', { class: 'row' }, apply, cancel));
      review.hidden = false;
      apply.focus();
    } catch (e) {
      if (e instanceof ApiError && e.problem && e.problem.problems) showProblems(e.problem.problems);
      show(message, errorText(e));
    }
  }

  const form = el('form', { class: 'stack card', id: `${kind}-editor` },
    el('h2', {}, fresh ? 'New' : 'Edit'),
    rows,
    section ? section.node : null,
    el('label', { for: `${kind}-json` }, 'The whole object (JSON)', json),
    jsonError);
  if (canWrite) {
    const buttons = [el('button', { type: 'submit', id: `${kind}-review` }, 'Review changes')];
    if (!fresh) {
      const remove = el('button', { type: 'button', class: 'plain', id: `${kind}-delete` }, 'Delete…');
      remove.addEventListener('click', () => check(true));
      buttons.push(remove);
    }
    form.appendChild(el('div', { class: 'row' }, buttons));
  } else {
    json.readOnly = true;
    form.appendChild(el('p', { class: 'muted' }, 'Your role may read the config, not change it.'));
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (canWrite) check(false);
  });
  return el('div', {}, message, problems, form, review);
}

/** The ETag each object read had: an edit is written only over the version it was made from. */
const etags = new WeakMap();

/** The object of kind/name (its ETag kept in etags), or null when there is none. */
export async function readObject(kind, name) {
  try {
    const { data, etag } = await apiWithEtag('GET', `/${kind}/${encodeURIComponent(name)}`);
    if (etag && data && typeof data === 'object') etags.set(data, etag);
    return data;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}
