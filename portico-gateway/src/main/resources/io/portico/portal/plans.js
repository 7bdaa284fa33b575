// The plans page (#/plans): every plan with its rate, quota and approval; operators create plans,
// change and rename them (PATCH /portal/api/plans/{name}), deprecate them (no new subscriptions;
// those the plan has keep working) and restore them, and delete them (DELETE, moving the
// subscriptions that hold the plan to another one), each after a confirmation in a dialog. The new
// limits and names hold for the keys of every subscription under the plan at once. The server
// checks every value; its refusal names the field ("requests_per_minute: 0 (expected: ...)") and is
// shown next to that field. Every write is made over the version of the plan the page showed
// (If-Match with its ETag): when someone else changed it meanwhile, nothing is written and the
// page says so. Every value is rendered as text (dom.js).
import { api, ApiError } from './api.js';
import { el, show } from './dom.js';

const PERIODS = ['hour', 'day', 'month'];

/** The badge of a deprecated plan, or null. */
export function deprecatedBadge(p) {
  return p.deprecated
    ? el('span', { class: 'badge', 'data-testid': 'plan-deprecated' }, 'deprecated')
    : null;
}

/** Deprecates `p` (no new subscriptions) or restores it, over the version the page showed. */
async function setDeprecated(p, deprecated, reload) {
  try {
    await api('PATCH', `/portal/api/plans/${encodeURIComponent(p.name)}`, { deprecated }, overVersion(p));
  } catch (e) {
    if (e instanceof ApiError && (e.status === 412 || e.status === 404)) {
      await reload(changedMeanwhile(p.name, e));
      return;
    }
    await reload(el('span', { class: 'error', 'data-testid': 'plan-refused' }, e.message));
    return;
  }
  await reload(deprecated
    ? `Deprecated plan ${p.name}: it takes no new subscriptions; those it has keep working.`
    : `Restored plan ${p.name}: it takes new subscriptions again.`);
}

export function quotaText(p) {
  if (!p.quota) return 'none';
  if (p.quota_window === 'rolling') return `${p.quota} per rolling ${p.quota_period}`;
  return `${p.quota} ${p.quota_period === 'hour' ? 'an' : 'a'} ${p.quota_period}`;
}

/**
 * The controls of a plan's form, ids prefixed with `prefix`: {node, values(), showProblem(e),
 * clear()}. `plan` fills them (null for a new plan, which also gets a name field).
 */
function planFields(prefix, plan) {
  const errors = new Map();
  const controls = new Map();
  function labelled(key, label, control) {
    const error = el('p', { class: 'field-error', id: `${prefix}-${key}-error`, 'data-testid': `${prefix}-${key}-error` });
    control.setAttribute('aria-describedby', `${prefix}-${key}-error`);
    errors.set(key, error);
    controls.set(key, control);
    return el('div', {}, el('label', { for: control.id }, label, control), error);
  }
  function input(key, type, value) {
    const control = el('input', { id: `${prefix}-${key}`, name: key, type, autocomplete: 'off' });
    control.value = value === undefined || value === null ? '' : String(value);
    return control;
  }
  function select(key, options, value) {
    return el('select', { id: `${prefix}-${key}`, name: key },
      options.map(([v, text]) => el('option', { value: v, selected: v === value }, text)));
  }
  const auto = el('input', { id: `${prefix}-auto_approve`, name: 'auto_approve', type: 'checkbox' });
  auto.checked = plan ? plan.auto_approve : false;
  const rows = [
    plan ? null : labelled('name', 'Name (lower-case letters, digits and -)', input('name', 'text', '')),
    labelled('description', 'Description', input('description', 'text', plan ? plan.description : '')),
    labelled('requests_per_minute', 'Requests per minute (per application and API)',
      input('requests_per_minute', 'number', plan ? plan.requests_per_minute : 60)),
    labelled('quota', 'Quota (requests per period; empty for none)', input('quota', 'number', plan ? plan.quota : '')),
    labelled('quota_period', 'Quota period', select('quota_period',
      [['', "the portal's default"], ...PERIODS.map((p) => [p, p])], plan && plan.quota ? plan.quota_period : '')),
    labelled('quota_window', 'Quota window', select('quota_window',
      [['calendar', 'calendar (starts afresh each period)'], ['rolling', 'rolling (the last period)']],
      plan && plan.quota ? plan.quota_window : 'calendar')),
    labelled('auto_approve', 'Approve subscriptions automatically', auto),
  ];
  return {
    node: rows,
    /** The plan's fields as the API takes them; no quota drops its period and window. */
    values() {
      const number = (key) => {
        const text = controls.get(key).value.trim();
        return text === '' ? null : (Number.isFinite(Number(text)) ? Number(text) : text);
      };
      const out = {
        description: controls.get('description').value,
        requests_per_minute: number('requests_per_minute'),
        auto_approve: auto.checked,
        quota: number('quota'),
      };
      if (!plan) out.name = controls.get('name').value.trim();
      if (out.quota !== null && out.quota !== 0) {
        out.quota_period = controls.get('quota_period').value || null;
        out.quota_window = controls.get('quota_window').value;
      }
      return out;
    },
    /** Shows a refusal at the field its detail starts with; false when it names none of them. */
    showProblem(e) {
      const detail = e.message || '';
      const key = [...errors.keys()].find((k) => detail.startsWith(`${k}:`) || detail.startsWith(`${k},`));
      if (!key) return false;
      show(errors.get(key), el('span', { class: 'error' }, detail));
      controls.get(key).setAttribute('aria-invalid', 'true');
      return true;
    },
    clear() {
      for (const [key, error] of errors) {
        show(error);
        controls.get(key).removeAttribute('aria-invalid');
      }
    },
  };
}

function planForm(id, plan, submitText, send) {
  const message = el('p', { 'aria-live': 'polite', 'data-testid': `${id}-message` });
  const fields = planFields(id, plan);
  const form = el('form', { class: 'stack card', id },
    el('h2', {}, plan ? `Edit plan ${plan.name}` : 'New plan'),
    fields.node, message,
    el('div', { class: 'row' }, el('button', { type: 'submit', id: `${id}-save` }, submitText)));
  // the server is the one place the rules are checked; its refusal is shown at the field
  form.noValidate = true;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fields.clear();
    show(message);
    try {
      await send(fields.values());
    } catch (e) {
      if (!(e instanceof ApiError && fields.showProblem(e))) show(message, el('span', { class: 'error' }, e.message));
    }
  });
  return form;
}

/** The headers of a write over the version of `p` the page showed. */
function overVersion(p) {
  return p.etag ? { 'If-Match': `"${p.etag}"` } : undefined;
}

/** What the page says when a write found the plan changed (412) or gone (404) meanwhile. */
function changedMeanwhile(name, e) {
  return el('span', { class: 'error', 'data-testid': 'plan-changed' }, e.status === 404
    ? `The plan ${name} is gone: someone else renamed or deleted it since this page showed it. Nothing was written.`
    : `Someone else changed the plan ${name} since this page showed it, so nothing was written. `
      + 'The page shows it as it is now: make your change again if it still applies.');
}

/**
 * Asks to confirm in a modal dialog (Escape or Cancel: no); resolves true on confirm. Focus starts
 * on `focus` (a control in `body`) or on Cancel, and goes back where it was when it closes.
 */
function confirmed(root, title, body, confirmText, focus) {
  return new Promise((resolve) => {
    const yes = el('button', { type: 'button', id: 'plan-confirm-yes' }, confirmText);
    const no = el('button', { type: 'button', class: 'plain', id: 'plan-confirm-no' }, 'Cancel');
    const dialog = el('dialog', {
      id: 'plan-confirm', role: 'alertdialog', 'aria-label': title, 'aria-describedby': 'plan-confirm-text',
    }, el('h2', {}, title), el('div', { id: 'plan-confirm-text' }, body), el('div', { class: 'row' }, yes, no));
    let answer = false;
    yes.addEventListener('click', () => { answer = true; dialog.close(); });
    no.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => { dialog.remove(); resolve(answer); });
    root.appendChild(dialog);
    dialog.showModal();
    (focus || no).focus();
  });
}

/** The form that renames `p`: its subscriptions and keys follow the new name. */
function renameForm(root, p, reload) {
  const input = el('input', {
    id: 'plan-rename-name', name: 'name', type: 'text', autocomplete: 'off', 'aria-describedby': 'plan-rename-name-error',
  });
  input.value = p.name;
  const error = el('p', { class: 'field-error', id: 'plan-rename-name-error', 'data-testid': 'plan-rename-name-error' });
  const message = el('p', { 'aria-live': 'polite', 'data-testid': 'plan-rename-message' });
  const cancel = el('button', { type: 'button', class: 'plain', id: 'plan-rename-cancel' }, 'Cancel');
  const form = el('form', { class: 'stack card', id: 'plan-rename' },
    el('h2', {}, `Rename plan ${p.name}`),
    el('p', { class: 'muted' }, 'Its subscriptions and the keys issued under it follow the new name at once, '
      + 'with the same limits.'),
    el('div', {}, el('label', { for: 'plan-rename-name' }, 'New name (lower-case letters, digits and -)', input), error),
    message,
    el('div', { class: 'row' }, el('button', { type: 'submit', id: 'plan-rename-save' }, 'Rename the plan'), cancel));
  form.noValidate = true;
  cancel.addEventListener('click', () => form.remove());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    show(error);
    show(message);
    input.removeAttribute('aria-invalid');
    const to = input.value.trim();
    if (to === p.name) {
      show(message, `${p.name} is the plan's name already.`);
      return;
    }
    const ok = await confirmed(root, `Rename plan ${p.name}?`,
      el('p', {}, `The plan ${p.name} becomes ${to}. Its subscriptions and their keys follow the new name; `
        + 'the keys keep working with the same limits.'), 'Rename the plan');
    if (!ok) {
      input.focus();
      return;
    }
    try {
      await api('PATCH', `/portal/api/plans/${encodeURIComponent(p.name)}`, { name: to }, overVersion(p));
      await reload(`Renamed plan ${p.name} to ${to}: its subscriptions and keys follow the new name.`);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 412 || e.status === 404)) {
        await reload(changedMeanwhile(p.name, e));
      } else if (e instanceof ApiError && e.message.startsWith('name:')) {
        show(error, el('span', { class: 'error' }, e.message));
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      } else {
        show(message, el('span', { class: 'error' }, e.message));
      }
    }
  });
  return form;
}

/**
 * Deletes `p` after a confirmation that names the subscriptions holding it (pending or approved)
 * and, when there are any, asks which plan takes them.
 */
async function deletePlan(root, p, all, reload) {
  const subs = (await api('GET', '/portal/api/subscriptions')).subscriptions
    .filter((s) => s.plan === p.name && (s.state === 'pending' || s.state === 'approved'));
  const others = all.filter((o) => o.name !== p.name);
  let target = null;
  const body = [];
  if (!subs.length) {
    body.push(el('p', {}, `No subscription holds the plan ${p.name}: it is deleted, and its rate and quota leave every API.`));
  } else {
    body.push(el('p', {}, `${subs.length === 1 ? '1 subscription holds' : `${subs.length} subscriptions hold`} the plan ${p.name}:`),
      el('ul', { 'data-testid': 'plan-holders' }, subs.map((s) => el('li', {},
        `${s.application_name || s.application} on ${s.api} (${s.state})`))));
    if (others.length) {
      target = el('select', { id: 'plan-move-to', name: 'move-to' }, others.map((o) => el('option', { value: o.name }, o.name)));
      body.push(el('label', { for: 'plan-move-to' }, 'Move them, with their keys and states, to the plan', target));
    } else {
      body.push(el('p', { class: 'error' }, 'There is no other plan to move them to: make one first, or reject or revoke them.'));
    }
  }
  const ok = await confirmed(root, `Delete plan ${p.name}?`, body, 'Delete the plan', target);
  const button = document.getElementById(`plan-delete-${p.name}`);
  if (!ok) {
    if (button) button.focus();
    return;
  }
  if (subs.length && !target) return;
  const query = target ? `?move-to=${encodeURIComponent(target.value)}` : '';
  try {
    const done = await api('DELETE', `/portal/api/plans/${encodeURIComponent(p.name)}${query}`, undefined, overVersion(p));
    await reload(done.moved_to
      ? `Deleted plan ${p.name}; its ${done.moved.length === 1 ? 'subscription' : `${done.moved.length} subscriptions`} moved to ${done.moved_to}.`
      : `Deleted plan ${p.name}.`);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 412 || e.status === 404)) await reload(changedMeanwhile(p.name, e));
    else {
      const again = e instanceof ApiError && e.status === 409 ? ' Choose Delete again to pick the plan they move to.' : '';
      await reload(el('span', { class: 'error', 'data-testid': 'plan-refused' }, e.message + again));
    }
  }
}

export async function plans(root, current, note) {
  const data = await api('GET', '/portal/api/plans');
  const operator = current.role === 'operator' || current.role === 'admin';
  const editor = el('div', { id: 'plan-editor' });
  const message = el('p', { 'aria-live': 'polite', id: 'plans-message', 'data-testid': 'plans-message' }, note || '');
  const reload = (text) => plans(root, current, text);
  const rows = data.plans.map((p) => {
    let actions = null;
    if (operator) {
      const edit = el('button', { type: 'button', class: 'plain', id: `plan-edit-${p.name}`, 'aria-label': `Edit plan ${p.name}` }, 'Edit');
      edit.addEventListener('click', () => {
        show(editor, planForm('plan-edit', p, 'Save the plan', async (values) => {
          let changed;
          try {
            changed = await api('PATCH', `/portal/api/plans/${encodeURIComponent(p.name)}`, values, overVersion(p));
          } catch (e) {
            if (e instanceof ApiError && (e.status === 412 || e.status === 404)) {
              await reload(changedMeanwhile(p.name, e));
              return;
            }
            throw e;
          }
          await reload(`Saved plan ${changed.name}: its limits hold for every subscription under it now.`);
        }));
        document.getElementById('plan-edit-description').focus();
      });
      const rename = el('button', { type: 'button', class: 'plain', id: `plan-rename-${p.name}`, 'aria-label': `Rename plan ${p.name}` }, 'Rename');
      rename.addEventListener('click', () => {
        show(editor, renameForm(root, p, reload));
        document.getElementById('plan-rename-name').focus();
      });
      const remove = el('button', { type: 'button', class: 'plain', id: `plan-delete-${p.name}`, 'aria-label': `Delete plan ${p.name}` }, 'Delete');
      remove.addEventListener('click', () => deletePlan(root, p, data.plans, reload).catch((e) => show(message, el('span', { class: 'error' }, e.message))));
      const state = el('button', { type: 'button', class: 'plain', id: `plan-${p.deprecated ? 'restore' : 'deprecate'}-${p.name}`,
        'aria-label': `${p.deprecated ? 'Restore' : 'Deprecate'} plan ${p.name}` }, p.deprecated ? 'Restore' : 'Deprecate');
      state.addEventListener('click', () => setDeprecated(p, !p.deprecated, reload));
      actions = el('td', { class: 'row' }, edit, rename, state, remove);
    }
    return el('tr', { 'data-testid': 'plan' },
      el('td', {}, p.name, ' ', deprecatedBadge(p)), el('td', {}, p.description),
      el('td', { class: 'num', 'data-testid': 'plan-rate' }, String(p.requests_per_minute)),
      el('td', { class: 'num', 'data-testid': 'plan-quota' }, quotaText(p)),
      el('td', {}, p.auto_approve ? 'automatic' : 'by an operator'),
      actions);
  });
  const headings = ['Plan', 'Description', 'Requests per minute', 'Quota', 'Approval'];
  if (operator) headings.push('Actions');
  show(root, el('h1', {}, 'Plans'), message,
    el('p', { class: 'muted' }, 'A plan is a tier of access: a rate per minute and an optional quota for each application '
      + 'and API subscribed under it. A change holds for the keys already issued, at once. A deprecated plan takes no '
      + 'new subscriptions; those it has keep working until it is restored or deleted.'),
    rows.length
      ? el('table', { 'data-testid': 'plans' },
        el('thead', {}, el('tr', {}, headings.map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, rows))
      : el('p', { class: 'muted' }, 'No plan yet.'),
    editor,
    operator ? planForm('plan-new', null, 'Create the plan', async (values) => {
      const made = await api('POST', '/portal/api/plans', values);
      await plans(root, current, `Created plan ${made.name}.`);
    }) : null);
}
