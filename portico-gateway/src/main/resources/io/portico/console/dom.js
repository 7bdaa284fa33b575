// Builds DOM nodes. Every value becomes text (a Text node or textContent): nothing is ever parsed
// as HTML, so a name such as <img src=x onerror=alert(1)> shows as those characters.

const SAFE_ATTRIBUTES = new Set([
  'id', 'class', 'type', 'name', 'value', 'for', 'href', 'role', 'hidden', 'autocomplete',
  'required', 'minlength', 'maxlength', 'colspan', 'scope', 'aria-live', 'aria-label',
  'aria-current', 'aria-describedby', 'data-role', 'data-page', 'data-testid', 'tabindex',
  'disabled', 'selected', 'checked',
]);

/** el('p', {class: 'muted'}, 'text', otherNode) */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (!SAFE_ATTRIBUTES.has(key)) throw new Error(`attribute not allowed: ${key}`);
    node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces the children of node. */
export function show(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/**
 * What a page shows instead of an error when the gateway runs without the feature behind it:
 * which feature is off, what turns it on, and where the docs say more. Its id is
 * `${testid}` (a data-testid), so a test can tell an empty state from an error.
 */
export function featureOff(testid, title, ...how) {
  return el('section', { class: 'card off', 'data-testid': testid, role: 'status' },
    el('h2', {}, title), el('p', {}, how));
}

/** Whether an admin API error says that a feature is off: a 404 problem of one of `types`. */
export function isOff(e, ...types) {
  const type = e && e.problem && typeof e.problem.type === 'string' ? e.problem.type : '';
  return e && e.status === 404 && types.some((t) => type.endsWith(`/${t}`));
}
