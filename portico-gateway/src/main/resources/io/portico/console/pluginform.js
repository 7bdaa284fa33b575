// The plugins of an object (a route's or a service's `plugins` map) as forms generated from each
// plugin's config schema (GET /schemas/plugins): strings, numbers, booleans, enums, lists of strings,
// nested objects and lists of objects get controls; what the form cannot express (maps, values of
// several types, a plugin without a schema) is edited as JSON in a textarea. Every change is written
// into the editor's JSON, so the dry run, the YAML diff and the server's validation stay the one
// path to apply; the server's problems are shown at the control of their JSON path.
import { api } from './api.js';
import { el, show } from './dom.js';

let catalogue = null;

/** The installed plugins, read once per page load: [{name, priority, phases, schema}]. */
function plugins() {
  if (!catalogue) catalogue = api('GET', '/schemas/plugins').then((d) => d.plugins).catch((e) => { catalogue = null; throw e; });
  return catalogue;
}

function types(schema) {
  const t = schema && schema.type;
  return Array.isArray(t) ? t : (t ? [t] : []);
}

/** How a value of this schema is edited: one of the control kinds, or 'json'. */
function kindOf(schema) {
  const t = types(schema);
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string')) return 'enum';
  if (t.length === 1) {
    if (t[0] === 'string') return schema.format === 'duration' ? 'duration' : 'string';
    if (t[0] === 'integer' || t[0] === 'number' || t[0] === 'boolean') return t[0];
    if (t[0] === 'object' && schema.properties) return 'object';
    if (t[0] === 'array' && schema.items && types(schema.items)[0] === 'string' && !schema.items.enum) return 'strings';
    if (t[0] === 'array' && schema.items && schema.items.properties) return 'objects';
  }
  if (t.length === 2 && t.includes('string') && t.includes('array')) return 'strings';
  if (t.length === 2 && t.includes('integer') && t.includes('string')) return 'string';
  return 'json';
}

/**
 * The id of the control of a JSON path: letters, digits, `_` and `-` only. The buttons that remove a
 * plugin or a list item add `.remove`, which no path's id has, so that a plugin's own `remove` key
 * (response-headers has one) keeps its id.
 */
function idFor(path) {
  return `plugin-${path.replace(/^\$\.plugins\./, '').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/-+$/, '')}`;
}

/**
 * The plugin section of an editor. ctx: {read() -> the object or null, write(object), canWrite}.
 * Returns {node, fill(object), showProblem(problem) -> whether it was shown here, clear()}.
 */
export function pluginSection(ctx) {
  const node = el('fieldset', { class: 'stack plugin-section', 'data-testid': 'plugin-section' });
  const status = el('p', { 'aria-live': 'polite', 'data-testid': 'plugin-status' });
  let errors = new Map(); // JSON path -> [error node, control]
  let current = {};

  function commit() {
    const object = ctx.read();
    if (!object) return;
    if (Object.keys(current).length) object.plugins = current;
    else delete object.plugins;
    ctx.write(object);
  }

  function register(path, control, error) {
    errors.set(path, [error, control]);
  }

  /** A labelled control for `key` of `parent` (an object), described by `schema`. */
  function field(parent, key, schema, path, required, rerender, link) {
    const id = idFor(path);
    const error = el('p', { class: 'field-error', id: `${id}-error`, 'data-testid': `${id}-error` });
    const hint = schema.description ? el('small', { class: 'muted', id: `${id}-hint` }, schema.description) : null;
    const described = [hint ? `${id}-hint` : null, `${id}-error`].filter((x) => x).join(' ');
    const label = required ? `${key} (required)` : key;
    const kind = kindOf(schema);
    const value = parent[key];
    const set = (v) => {
      if (v === undefined) delete parent[key]; else parent[key] = v;
      link();
      commit();
    };
    let control;
    if (kind === 'object') {
      // Attached to its parent only while it holds something: no empty objects are written.
      const object = value && typeof value === 'object' && !Array.isArray(value) ? value : {};
      const attach = () => {
        if (Object.keys(object).length) parent[key] = object; else delete parent[key];
        link();
      };
      const box = el('fieldset', { class: 'stack nested', id }, el('legend', {}, label), hint, error);
      objectFields(box, object, schema, path, rerender, attach);
      register(path, box, error);
      return box;
    }
    if (kind === 'objects') {
      const items = Array.isArray(value) ? value : [];
      const box = el('fieldset', { class: 'stack nested', id }, el('legend', {}, label), hint, error);
      items.forEach((item, i) => {
        const itemPath = `${path}[${i}]`;
        const itemBox = el('fieldset', { class: 'stack nested', id: idFor(itemPath) }, el('legend', {}, `${key} ${i + 1}`));
        objectFields(itemBox, item, schema.items, itemPath, rerender, link);
        if (ctx.canWrite) {
          const remove = el('button', { type: 'button', class: 'plain', id: `${idFor(itemPath)}.remove` }, `Remove ${key} ${i + 1}`);
          remove.addEventListener('click', () => {
            items.splice(i, 1);
            if (items.length) parent[key] = items; else delete parent[key];
            link();
            commit();
            rerender();
          });
          itemBox.appendChild(remove);
        }
        box.appendChild(itemBox);
      });
      if (ctx.canWrite) {
        const add = el('button', { type: 'button', class: 'plain', id: `${id}-add` }, `Add to ${key}`);
        add.addEventListener('click', () => {
          items.push({});
          parent[key] = items;
          link();
          commit();
          rerender(`${idFor(`${path}[${items.length - 1}]`)}`);
        });
        box.appendChild(add);
      }
      register(path, box, error);
      return box;
    }
    if (kind === 'boolean') {
      control = el('input', { id, type: 'checkbox', name: key, 'aria-describedby': described });
      control.checked = value === undefined ? schema.default === true : value === true;
      control.addEventListener('change', () => set(control.checked));
    } else if (kind === 'enum') {
      control = el('select', { id, name: key, 'aria-describedby': described },
        el('option', { value: '' }, schema.default === undefined ? '(not set)' : `(default: ${schema.default})`),
        schema.enum.map((v) => el('option', { value: v, selected: v === value }, v)));
      control.addEventListener('change', () => set(control.value === '' ? undefined : control.value));
    } else if (kind === 'strings') {
      control = el('textarea', { id, name: key, 'aria-describedby': described });
      control.rows = 3;
      control.value = Array.isArray(value) ? value.join('\n') : (value === undefined ? '' : String(value));
      control.addEventListener('input', () => {
        const lines = control.value.split('\n').map((s) => s.trim()).filter((s) => s);
        set(lines.length ? lines : undefined);
      });
    } else if (kind === 'json') {
      control = el('textarea', { id, name: key, class: 'code', 'aria-describedby': described });
      control.rows = 3;
      control.spellcheck = false;
      control.value = value === undefined ? '' : JSON.stringify(value, null, 2);
      control.addEventListener('change', () => {
        if (!control.value.trim()) { set(undefined); show(error); return; }
        try {
          set(JSON.parse(control.value));
          show(error);
          control.removeAttribute('aria-invalid');
        } catch (e) {
          show(error, el('span', { class: 'error' }, `${key}: not JSON (${e.message})`));
          control.setAttribute('aria-invalid', 'true');
        }
      });
    } else {
      control = el('input', { id, name: key, autocomplete: 'off', 'aria-describedby': described });
      if (kind === 'integer' || kind === 'number') {
        control.type = 'number';
        control.step = kind === 'integer' ? '1' : 'any';
      }
      if (kind === 'duration') control.placeholder = 'e.g. 500ms, 10s, 5m';
      else if (schema.default !== undefined) control.placeholder = `default: ${schema.default}`;
      control.value = value === undefined || value === null ? '' : (typeof value === 'object' ? JSON.stringify(value) : String(value));
      control.addEventListener('input', () => {
        const text = control.value.trim();
        if (!text) set(undefined);
        else if (kind === 'integer' || kind === 'number') set(Number.isFinite(Number(text)) ? Number(text) : text);
        else set(text);
      });
    }
    control.disabled = !ctx.canWrite;
    register(path, control, error);
    return el('div', { class: 'plugin-field' }, el('label', { for: id }, label), control, hint, error);
  }

  function objectFields(box, object, schema, path, rerender, link) {
    const required = new Set(schema.required || []);
    for (const [key, sub] of Object.entries(schema.properties || {})) {
      box.appendChild(field(object, key, sub, `${path}.${key}`, required.has(key), rerender, link));
    }
    const known = new Set(Object.keys(schema.properties || {}));
    const extra = Object.keys(object).filter((k) => !known.has(k));
    if (extra.length) {
      box.appendChild(el('p', { class: 'muted' }, `Also set, not in the schema: ${extra.join(', ')} (edit them in the JSON below).`));
    }
  }

  function pluginBox(name, info, rerender) {
    const path = `$.plugins.${name}`;
    const id = idFor(path);
    const error = el('p', { class: 'field-error', id: `${id}-error`, 'data-testid': `${id}-error` });
    const box = el('fieldset', { class: 'stack card', id, 'data-testid': 'plugin' },
      el('legend', {}, info ? `${name} (priority ${info.priority})` : name), error);
    register(path, box, error);
    if (current[name] === null || typeof current[name] !== 'object' || Array.isArray(current[name])) current[name] = {};
    if (info && info.schema && info.schema.type === 'object') {
      objectFields(box, current[name], info.schema, path, rerender, () => {});
    } else {
      box.appendChild(field(current, name, {
        description: info ? 'This plugin publishes no schema: its config as JSON.' : 'Not an installed plugin: its config as JSON.',
      }, `$.plugins.${name}`, false, rerender, () => {}));
    }
    if (ctx.canWrite) {
      const remove = el('button', { type: 'button', class: 'plain', id: `${id}.remove` }, `Remove ${name}`);
      remove.addEventListener('click', () => {
        delete current[name];
        commit();
        rerender();
      });
      box.appendChild(remove);
    }
    return box;
  }

  async function render(focusId) {
    let list;
    try {
      list = await plugins();
    } catch (e) {
      show(node, el('legend', {}, 'Plugins'), el('p', { class: 'error' }, `The plugins could not be read: ${e.message}`));
      return;
    }
    const byName = new Map(list.map((p) => [p.name, p]));
    errors = new Map();
    const rerender = (id) => render(id);
    const boxes = Object.keys(current).map((name) => pluginBox(name, byName.get(name), rerender));
    const parts = [el('legend', {}, 'Plugins'), status];
    if (!boxes.length) parts.push(el('p', { class: 'muted' }, 'No plugin is configured here.'));
    parts.push(boxes);
    if (ctx.canWrite) {
      const choice = el('select', { id: 'plugin-add-choice', name: 'plugin' },
        list.filter((p) => !(p.name in current)).map((p) => el('option', { value: p.name }, p.name)));
      const add = el('button', { type: 'button', id: 'plugin-add' }, 'Add plugin');
      add.addEventListener('click', () => {
        if (!choice.value) return;
        current[choice.value] = {};
        commit();
        show(status, `Added ${choice.value}: fill in its settings, then review the change.`);
        render(idFor(`$.plugins.${choice.value}`));
      });
      parts.push(el('div', { class: 'row' }, el('label', { for: 'plugin-add-choice' }, 'Add a plugin', choice), add));
    }
    show(node, parts);
    if (focusId) {
      const target = document.getElementById(focusId);
      const first = target && (target.matches('input, select, textarea') ? target : target.querySelector('input, select, textarea, button'));
      if (first) first.focus();
    }
  }

  return {
    node,
    fill(object) {
      const plugins = object && object.plugins;
      current = plugins && typeof plugins === 'object' && !Array.isArray(plugins) ? JSON.parse(JSON.stringify(plugins)) : {};
      render();
    },
    /** Shows a problem at the deepest control whose JSON path begins its path. */
    showProblem(p) {
      const path = p.path || '';
      if (!path.startsWith('$.plugins')) return false;
      let best = null;
      for (const key of errors.keys()) {
        if ((path === key || path.startsWith(`${key}.`) || path.startsWith(`${key}[`)) && (!best || key.length > best.length)) best = key;
      }
      if (!best) return false;
      const [error, control] = errors.get(best);
      error.appendChild(el('span', { class: 'error' }, `${path}: ${p.message}`));
      control.setAttribute('aria-invalid', 'true');
      return true;
    },
    clear() {
      for (const [error, control] of errors.values()) {
        show(error);
        control.removeAttribute('aria-invalid');
      }
    },
  };
}
