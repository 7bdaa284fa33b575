// The global plugins page (#/plugins): the config's top-level `plugins` map, the plugins that run
// on every route, edited with the forms generated from each plugin's schema (pluginform.js). Each
// global plugin is an object of the admin API (/plugins/{name}, its config as the object), so a
// review sends the plugins added, changed and removed as one batch (POST /config/changes) as a dry
// run and shows its YAML diff; nothing is applied until it is confirmed, and then the same batch
// is applied as one version, only over the config version the page was read from (If-Match).
import { api, apiWithEtag, ApiError } from './api.js';
import { el, show } from './dom.js';
import { pluginSection } from './pluginform.js';
import { writes, errorText, diffBlock } from './objects.js';

/** JSON with every object's keys sorted: two configs are equal when their texts are. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The batch that turns `before` into `after`, both maps of plugin name -> config. */
function changesBetween(before, after) {
  const list = [];
  for (const [name, config] of Object.entries(after)) {
    if (!(name in before) || canonical(before[name]) !== canonical(config)) {
      list.push({ op: 'put', kind: 'plugins', name, object: config });
    }
  }
  for (const name of Object.keys(before)) {
    if (!(name in after)) list.push({ op: 'delete', kind: 'plugins', name });
  }
  return list;
}

/**
 * A problem of the batch at the path the plugin form knows: a global plugin's object is its
 * config, so the server's `$.limits[0]` of the object /plugins/rate-limit is the form's
 * `$.plugins.rate-limit.limits[0]`.
 */
function formPath(p) {
  const source = /^\/plugins\/(.+)$/.exec(p.source || '');
  const path = p.path || '';
  if (!source || !path.startsWith('$')) return p;
  return { ...p, path: `$.plugins.${decodeURIComponent(source[1])}${path.slice(1)}` };
}

export async function globalPlugins(root, who) {
  const message = el('p', { 'aria-live': 'polite', 'data-testid': 'editor-message' });
  const problems = el('ul', { class: 'problems', 'data-testid': 'problems' });
  const review = el('div', { class: 'card', 'data-testid': 'review', hidden: true });
  const sources = el('div');
  const formSlot = el('div');
  show(root,
    el('h1', {}, 'Global plugins'),
    el('p', { class: 'muted' }, 'These plugins run on every route, with the plugins of its service and its own; '
      + 'a route or service that configures a plugin of the same name uses its own config.'),
    message, problems, sources, formSlot, review);
  const canWrite = writes(who);
  let before;
  let version;
  try {
    const { data, etag } = await apiWithEtag('GET', '/plugins');
    before = Object.fromEntries(data.plugins.map((p) => [p.name, p.object]));
    version = etag;
    show(sources, data.plugins.length
      ? el('table', { 'data-testid': 'plugins-list' },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Plugin'), el('th', { scope: 'col' }, 'Source'))),
        el('tbody', {}, data.plugins.map((p) => el('tr', { 'data-testid': 'plugins-row' },
          el('td', {}, p.name), el('td', {}, p.source)))))
      : el('p', { class: 'muted', 'data-testid': 'plugins-list' }, 'No global plugin is configured.'));
  } catch (e) {
    show(message, errorText(e));
    return;
  }

  let working = { plugins: JSON.parse(JSON.stringify(before)) };
  const section = pluginSection({
    canWrite,
    read: () => JSON.parse(JSON.stringify(working)),
    write: (value) => { working = value; },
  });
  section.fill(working);

  function showProblems(list) {
    section.clear();
    const rest = list.map(formPath).filter((p) => !section.showProblem(p));
    show(problems, rest.map((p) => el('li', {}, `${p.source ? `${p.source}: ` : ''}${p.path}: ${p.message}`)));
  }

  function send(batch, dry) {
    return api('POST', '/config/changes', { changes: batch, dry_run: dry }, version ? { 'If-Match': version } : undefined);
  }

  async function check() {
    review.hidden = true;
    show(message);
    section.clear();
    show(problems);
    const batch = changesBetween(before, working.plugins || {});
    if (!batch.length) {
      show(message, 'Nothing changed: there is nothing to review.');
      return;
    }
    try {
      const answer = await send(batch, true);
      const apply = el('button', { type: 'button', id: 'plugins-apply' }, 'Apply this change');
      const cancel = el('button', { type: 'button', class: 'plain', id: 'plugins-cancel' }, 'Cancel');
      apply.addEventListener('click', async () => {
        apply.disabled = true;
        try {
          await send(batch, false);
          await globalPlugins(root, who);
          show(root.querySelector('[data-testid=editor-message]'), 'Applied: the global plugins run on every route now.');
        } catch (e) {
          apply.disabled = false;
          if (e instanceof ApiError && e.problem && e.problem.problems) showProblems(e.problem.problems);
          show(message, errorText(e));
        }
      });
      cancel.addEventListener('click', () => { review.hidden = true; });
      show(review,
        el('h2', {}, 'Review the change'),
        el('p', {}, 'Nothing is applied until you confirm. The YAML of the global plugins, before (-) and after (+):'),
        diffBlock(answer.diff),
        el('div', { class: 'row' }, apply, cancel));
      review.hidden = false;
      apply.focus();
    } catch (e) {
      if (e instanceof ApiError && e.problem && e.problem.problems) showProblems(e.problem.problems);
      show(message, errorText(e));
    }
  }

  if (!canWrite) {
    // nothing to submit: the plugins' controls are shown disabled
    show(formSlot, el('div', { class: 'stack card', id: 'plugins-editor' }, section.node,
      el('p', { class: 'muted' }, 'Your role may read the config, not change it.')));
    return;
  }
  const form = el('form', { class: 'stack card', id: 'plugins-editor' }, section.node,
    el('div', { class: 'row' }, el('button', { type: 'submit', id: 'plugins-review' }, 'Review changes')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    check();
  });
  show(formSlot, form);
}
