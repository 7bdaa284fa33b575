// The plans page (#/plans): every plan with its rate, quota and approval; operators create plans
// and change them (PATCH /portal/api/plans/{name}), and the new limits hold for the keys of every
// subscription under the plan at once. The server checks every value; its refusal names the field
// ("requests_per_minute: 0 (expected: ...)") and is shown next to that field. Every value is
// rendered as text (dom.js).
import { api, ApiError } from './api.js';
import { el, show } from './dom.js';

const PERIODS = ['hour', 'day', 'month'];

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

export async function plans(root, current, note) {
  const data = await api('GET', '/portal/api/plans');
  const operator = current.role === 'operator' || current.role === 'admin';
  const editor = el('div', { id: 'plan-editor' });
  const message = el('p', { 'aria-live': 'polite', id: 'plans-message', 'data-testid': 'plans-message' }, note || '');
  const rows = data.plans.map((p) => {
    let action = null;
    if (operator) {
      action = el('button', { type: 'button', class: 'plain', id: `plan-edit-${p.name}` }, 'Edit');
      action.addEventListener('click', () => {
        show(editor, planForm('plan-edit', p, 'Save the plan', async (values) => {
          const changed = await api('PATCH', `/portal/api/plans/${encodeURIComponent(p.name)}`, values);
          await plans(root, current, `Saved plan ${changed.name}: its limits hold for every subscription under it now.`);
        }));
        document.getElementById('plan-edit-description').focus();
      });
    }
    return el('tr', { 'data-testid': 'plan' },
      el('td', {}, p.name), el('td', {}, p.description),
      el('td', { class: 'num', 'data-testid': 'plan-rate' }, String(p.requests_per_minute)),
      el('td', { class: 'num', 'data-testid': 'plan-quota' }, quotaText(p)),
      el('td', {}, p.auto_approve ? 'automatic' : 'by an operator'),
      operator ? el('td', {}, action) : null);
  });
  const headings = ['Plan', 'Description', 'Requests per minute', 'Quota', 'Approval'];
  if (operator) headings.push('');
  show(root, el('h1', {}, 'Plans'), message,
    el('p', { class: 'muted' }, 'A plan is a tier of access: a rate per minute and an optional quota for each application '
      + 'and API subscribed under it. A change holds for the keys already issued, at once.'),
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
