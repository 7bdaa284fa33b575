// The admin API as the console uses it: same origin, the session cookie (HttpOnly, sent by the
// browser), and the session's CSRF token in X-CSRF-Token on every write.

let csrf = null;

export function setCsrf(token) {
  csrf = token || null;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function api(method, path, body, extraHeaders) {
  return (await call(method, path, body, extraHeaders)).data;
}

/** Like api, with the answer's ETag (null without one): {data, etag}. */
export async function apiWithEtag(method, path, body, extraHeaders) {
  const { data, response } = await call(method, path, body, extraHeaders);
  return { data, etag: response.headers.get('ETag') };
}

async function call(method, path, body, extraHeaders) {
  const headers = { Accept: 'application/json', ...(extraHeaders || {}) };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  const type = response.headers.get('Content-Type') || '';
  let data = null;
  if (type.includes('json')) data = await response.json();
  else if (response.status !== 204) data = await response.text();
  if (!response.ok) throw new ApiError(response.status, typeof data === 'object' ? data : null);
  return { data, response };
}
