// The OpenAPI viewer: Swagger UI, from its WebJar in the jar (/portal/viewer/), loaded on the first
// API page and started from this module, since the portal's Content-Security-Policy allows no
// inline script. Its try-it panel calls the API through the gateway (the document's servers, set
// by the portal, which drops every path's and operation's own) with the application's key in the
// apikey header; the document itself comes from the portal's API with the session, and never gets
// the key. A call Swagger UI would still aim elsewhere is sent to the gateway's origin instead,
// and the key goes to no other origin.
let loading = null;

function load() {
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const css = document.createElement('link');
      css.rel = 'stylesheet';
      css.href = '/portal/viewer/swagger-ui.css';
      document.head.append(css);
      const script = document.createElement('script');
      script.src = '/portal/viewer/swagger-ui-bundle.js';
      script.addEventListener('load', () => resolve(window.SwaggerUIBundle));
      script.addEventListener('error', () => {
        loading = null;
        reject(new Error('The OpenAPI viewer could not be loaded.'));
      });
      document.head.append(script);
    });
  }
  return loading;
}

// Renders the document at `url` into `node`; `key()` answers the key to send on try-it calls to
// `gatewayUrl` (null when the portal knows no gateway URL: then no call carries the key).
export async function showViewer(node, url, key, gatewayUrl) {
  const gateway = gatewayUrl ? new URL(gatewayUrl).origin : null;
  const SwaggerUIBundle = await load();
  SwaggerUIBundle({
    domNode: node,
    url,
    deepLinking: false,
    validatorUrl: null,
    defaultModelsExpandDepth: 0,
    requestInterceptor: (request) => {
      if (request.loadSpec) {
        return request; // the document itself, from the portal
      }
      const target = new URL(request.url, window.location.href);
      const home = gateway || window.location.origin;
      if (target.origin !== home) {
        request.url = home + target.pathname + target.search;
      }
      const k = key();
      if (k && gateway) {
        request.headers.apikey = k;
      }
      return request;
    },
  });
}
