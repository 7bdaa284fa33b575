import { api, ApiError } from './api.js';
import { el, show, isOff } from './dom.js';
import { metricsOff } from './metrics.js';

const REFRESH_MS = 5000;
const KINDS = ['openai', 'azure-openai', 'anthropic', 'gemini', 'openai-compatible'];

/** A problem+json's problems as text, each with its JSON path; or the error's message. */
function problemText(e) {
  const list = e instanceof ApiError && e.problem && e.problem.problems;
  if (!list || !list.length) return e.message;
  return list.map((p) => `${p.source || ''} ${p.path || ''}: ${p.message}`.trim()).join('\n');
}

function field(id, label, input) {
  return el('label', { for: id }, label, input);
}

function input(id, attributes = {}) {
  return el('input', { id, name: id, autocomplete: 'off', ...attributes });
}

function table(testid, body, headings) {
  return el('table', { 'data-testid': testid },
    el('thead', {}, el('tr', {}, headings.map((h) => el('th', { scope: 'col' }, h)))), body);
}

function empty(cols, text) {
  return el('tr', {}, el('td', { colspan: cols, class: 'muted' }, text));
}

/** "openai, local:llama3" → [{provider: 'openai'}, {provider: 'local', model: 'llama3'}] */
function parseTargets(text) {
  return String(text).split(',').map((t) => t.trim()).filter((t) => t).map((t) => {
    const at = t.indexOf(':');
    return at < 0 ? { provider: t } : { provider: t.slice(0, at).trim(), model: t.slice(at + 1).trim() };
  });
}

function targetsText(targets) {
  return (targets || []).map((t) => (t.model ? `${t.provider}:${t.model}` : t.provider)).join(', ');
}

/**
 * The AI page: providers with write-only keys, models (routing and fallback), token usage and cost
 * per consumer and model, and prompt → REST API (write a template, publish it as a route, try it).
 * Every change is an ordinary admin write (/ai-providers, /ai-models, /routes).
 */
export function ai(root, who) {
  const canWrite = who.kind === 'anonymous' || who.role === 'admin' || who.role === 'operator';
  const message = el('p', { 'aria-live': 'polite', id: 'ai-message' });
  const providers = el('tbody');
  const models = el('tbody');
  const usage = el('tbody');
  const modelChoice = el('select', { id: 'prompt-model', name: 'prompt-model', required: true });
  let timer = null;
  let stopped = false;

  function say(text, error) {
    show(message, error ? el('span', { class: 'error' }, text) : text);
  }

  async function loadConfig() {
    const p = await api('GET', '/ai-providers');
    const list = p['ai-providers'] || [];
    show(providers, list.length ? list.map((item) => el('tr', { 'data-testid': 'provider-row' },
      el('td', { 'data-testid': 'provider-name' }, item.name),
      el('td', {}, item.object.kind || ''),
      el('td', {}, item.object['base-url'] || '(default)'),
      el('td', { 'data-testid': 'provider-key' },
        item.object['api-key'] || (item.object.keys ? `${item.object.keys.length} key reference(s)` : 'none')),
      el('td', {}, item.source))) : empty(5, 'No providers yet.'));
    const m = await api('GET', '/ai-models');
    const mlist = m['ai-models'] || [];
    show(models, mlist.length ? mlist.map((item) => el('tr', { 'data-testid': 'model-row' },
      el('td', { 'data-testid': 'model-name' }, item.name),
      el('td', {}, item.object.strategy || 'ordered'),
      el('td', { 'data-testid': 'model-targets' }, targetsText(item.object.targets)),
      el('td', {}, item.source))) : empty(4, 'No models yet.'));
    const chosen = modelChoice.value;
    show(modelChoice, mlist.map((item) => el('option', { value: item.name, selected: item.name === chosen }, item.name)));
  }

  async function loadUsage() {
    const data = await api('GET', '/ai/usage');
    const rows = data.usage || [];
    show(usage, rows.length ? rows.map((r) => el('tr', { 'data-testid': 'usage-row' },
      el('td', { 'data-testid': 'usage-consumer' }, r.consumer),
      el('td', { 'data-testid': 'usage-model' }, r.model),
      el('td', {}, r.provider),
      el('td', { class: 'num' }, String(r.calls)),
      el('td', { class: 'num', 'data-testid': 'usage-prompt' }, String(r.prompt_tokens)),
      el('td', { class: 'num', 'data-testid': 'usage-completion' }, String(r.completion_tokens)),
      el('td', { class: 'num', 'data-testid': 'usage-total' }, String(r.total_tokens)),
      el('td', { class: 'num' }, r.cost.toFixed(6)))) : empty(8, 'No AI calls since the gateway started.'));
  }

  const usageBox = el('div', {}, table('ai-usage', usage, ['Consumer', 'Model', 'Provider', 'Calls', 'Prompt tokens',
    'Completion tokens', 'Total tokens', 'Cost']));

  async function tick() {
    try {
      await loadUsage();
    } catch (e) {
      if (isOff(e, 'metrics-disabled')) {
        show(usageBox, metricsOff('Token usage is not counted: metrics are off'));
        return;
      }
      say(e.message, true);
    }
    if (!stopped) timer = setTimeout(tick, REFRESH_MS);
  }

  const forms = [];
  if (canWrite) {
    const providerForm = el('form', { class: 'stack card', id: 'provider-form' },
      el('h2', {}, 'Add or change a provider'),
      field('provider-name', 'Name', input('provider-name', { required: true, maxlength: 64 })),
      field('provider-kind', 'Kind', el('select', { id: 'provider-kind', name: 'provider-kind' },
        KINDS.map((k) => el('option', { value: k }, k)))),
      field('provider-url', 'Base URL (empty for the kind\'s default)', input('provider-url', { type: 'url' })),
      field('provider-key-input', 'API key (write-only: shown again only as its last four characters)',
        input('provider-key-input', { type: 'password', autocomplete: 'new-password' })),
      el('div', {}, el('button', { type: 'submit' }, 'Save provider')));
    providerForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const data = new FormData(providerForm);
      const name = String(data.get('provider-name')).trim();
      const object = { name, kind: data.get('provider-kind') };
      const url = String(data.get('provider-url')).trim();
      if (url) object['base-url'] = url;
      const key = String(data.get('provider-key-input'));
      if (key) object['api-key'] = key;
      else {
        // Keep the stored key: send back the masked form every read shows.
        try {
          const current = await api('GET', `/ai-providers/${encodeURIComponent(name)}`);
          if (current['api-key']) object['api-key'] = current['api-key'];
        } catch (e) { /* a new provider */ }
      }
      try {
        await api('PUT', `/ai-providers/${encodeURIComponent(name)}`, object);
        providerForm.reset();
        say(`Provider ${name} was saved.`);
        await loadConfig();
      } catch (e) {
        say(problemText(e), true);
      }
    });

    const modelForm = el('form', { class: 'stack card', id: 'model-form' },
      el('h2', {}, 'Add or change a model (routing and fallback)'),
      field('model-name', 'Model name clients send', input('model-name', { required: true, maxlength: 128 })),
      field('model-targets', 'Targets in fallback order (provider or provider:model, separated by commas)',
        input('model-targets', { required: true })),
      field('model-strategy', 'Strategy', el('select', { id: 'model-strategy', name: 'model-strategy' },
        el('option', { value: 'ordered' }, 'ordered (first, then the next on failure)'),
        el('option', { value: 'weighted' }, 'weighted (first drawn by weight)'))),
      el('div', {}, el('button', { type: 'submit' }, 'Save model')));
    modelForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const data = new FormData(modelForm);
      const name = String(data.get('model-name')).trim();
      const object = { name, strategy: data.get('model-strategy'), targets: parseTargets(data.get('model-targets')) };
      try {
        await api('PUT', `/ai-models/${encodeURIComponent(name)}`, object);
        modelForm.reset();
        say(`Model ${name} was saved.`);
        await loadConfig();
      } catch (e) {
        say(problemText(e), true);
      }
    });

    const answer = el('pre', { id: 'prompt-answer', 'data-testid': 'prompt-answer', 'aria-live': 'polite' });
    const promptForm = el('form', { class: 'stack card', id: 'prompt-form' },
      el('h2', {}, 'Prompt → REST API'),
      el('p', { class: 'muted' }, 'Write {{variable}} where a value of the request goes. "Try the draft" sends the template as written to its model, without a route; publishing writes the route; "Try the route" runs the published route once through the gateway.'),
      field('prompt-route', 'Route name', input('prompt-route', { required: true, maxlength: 64 })),
      field('prompt-path', 'Path', input('prompt-path', { required: true, value: '/api/' })),
      field('prompt-model', 'Model', modelChoice),
      field('prompt-variables', 'Variables (names separated by commas)', input('prompt-variables')),
      field('prompt-system', 'System message template', input('prompt-system')),
      field('prompt-user', 'User message template', input('prompt-user', { required: true })),
      field('prompt-values', 'Values to try (name=value, separated by ;)', input('prompt-values')),
      el('div', { class: 'row' },
        el('button', { type: 'button', class: 'plain', id: 'prompt-try' }, 'Try the draft'),
        el('button', { type: 'submit', id: 'prompt-publish' }, 'Publish as a route'),
        el('button', { type: 'button', class: 'plain', id: 'prompt-try-route' }, 'Try the route')),
      answer);
    const routeName = () => String(new FormData(promptForm).get('prompt-route')).trim();
    /** The template as the form holds it: a route's ai.prompt. */
    const draft = () => {
      const data = new FormData(promptForm);
      const prompt = {
        model: data.get('prompt-model'),
        variables: String(data.get('prompt-variables')).split(',').map((v) => v.trim()).filter((v) => v).map((v) => ({ name: v })),
        user: data.get('prompt-user'),
      };
      const system = String(data.get('prompt-system'));
      if (system) prompt.system = system;
      return prompt;
    };
    const values = () => {
      const variables = {};
      for (const part of String(new FormData(promptForm).get('prompt-values')).split(';')) {
        const at = part.indexOf('=');
        if (at > 0) variables[part.slice(0, at).trim()] = part.slice(at + 1).trim();
      }
      return variables;
    };
    const tryIt = async (request) => {
      show(answer, 'Trying…');
      try {
        const r = await api('POST', '/ai/try', request);
        show(answer, `${r.status} ${r.content_type}\n${r.body}`);
        loadUsage().catch(() => {});
      } catch (e) {
        show(answer, el('span', { class: 'error' }, problemText(e)));
      }
    };
    promptForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const data = new FormData(promptForm);
      const name = routeName();
      const prompt = draft();
      const route = { name, paths: [String(data.get('prompt-path')).trim()], methods: ['POST'], ai: { prompt } };
      try {
        await api('PUT', `/routes/${encodeURIComponent(name)}`, route);
        say(`Route ${name} was published at ${route.paths[0]}.`);
      } catch (e) {
        say(problemText(e), true);
      }
    });
    promptForm.querySelector('#prompt-try').addEventListener('click', () => {
      if (!promptForm.querySelector('#prompt-user').value.trim()) {
        show(answer, el('span', { class: 'error' }, 'Write the user message template first.'));
        return;
      }
      tryIt({ prompt: draft(), variables: values() });
    });
    promptForm.querySelector('#prompt-try-route').addEventListener('click', () => {
      tryIt({ route: routeName(), variables: values() });
    });
    forms.push(providerForm, modelForm, promptForm);
  }

  show(root,
    el('h1', {}, 'AI'),
    message,
    el('h2', {}, 'Providers'),
    table('ai-providers', providers, ['Name', 'Kind', 'Base URL', 'Key', 'Source']),
    el('h2', {}, 'Models'),
    table('ai-models', models, ['Model', 'Strategy', 'Targets (fallback order)', 'Source']),
    el('h2', {}, 'Token usage and cost since start'),
    usageBox,
    forms);
  loadConfig().catch((e) => say(e.message, true));
  tick();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
