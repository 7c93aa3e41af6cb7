// Page changes without reloading the document, once the wasm has loaded.
//
// Every page is rendered by the server and works as plain HTML: links, GET filter forms and
// POST forms. Here a click on a link of this site, or a form sent to it, fetches the next
// page and swaps in its body, title and language, so the CSS, JS and wasm are not loaded
// again and the interactive islands of the new page are hydrated in place. What the browser
// does better itself is left to it: downloads, other sites, new tabs, anchors in the page,
// and any answer that is not a page (a CSV from the export form) or that fails to arrive.
//
// Leptos' own "islands router" diffs the old and new trees node by node, which needs every
// list keyed; swapping the body is simpler and always right.

let latest = 0;
// The form whose POST is on its way: a second press of its button (on a weak connection,
// the first seems to do nothing) is not sent again.
let sending = null;

export function startNavigation() {
  addEventListener('click', (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = ev.target instanceof Element ? ev.target.closest('a[href]') : null;
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || samePage(url)) return;
    ev.preventDefault();
    go(url.href, {}, () => location.assign(url.href), { push: true, top: true });
  });

  addEventListener('submit', (ev) => {
    const form = ev.target;
    if (ev.defaultPrevented || !(form instanceof HTMLFormElement) || form.target) return;
    const url = new URL(form.action, location.href);
    if (url.origin !== location.origin) return;
    const data = new FormData(form, ev.submitter);
    ev.preventDefault();
    if (form.method.toLowerCase() === 'get') {
      url.search = new URLSearchParams(data).toString();
      go(url.href, {}, () => location.assign(url.href), { push: true, top: false });
    } else if (sending !== form) {
      sending = form;
      const body = form.enctype === 'multipart/form-data' ? data : new URLSearchParams(data);
      // `requestSubmit` would come back here; `submit` sends the form as the browser does.
      go(url.href, { method: 'POST', body }, () => HTMLFormElement.prototype.submit.call(form), { push: true, top: true })
        .finally(() => { if (sending === form) sending = null; });
    }
  });

  addEventListener('popstate', () => go(location.href, {}, () => location.reload(), { push: false, top: false }));
}

function samePage(url) {
  return url.hash !== '' && url.pathname === location.pathname && url.search === location.search;
}

async function go(href, init, fallback, { push, top }) {
  const mine = ++latest;
  document.documentElement.setAttribute('aria-busy', 'true');
  // A download (all survey rows can be hundreds of MB) is stopped at its headers and left to
  // the browser.
  const abort = new AbortController();
  let response, html;
  try {
    response = await fetch(href, { ...init, headers: { Accept: 'text/html' }, credentials: 'same-origin', signal: abort.signal });
    if (!(response.headers.get('content-type') || '').startsWith('text/html')) {
      abort.abort();
      throw new Error('not a page');
    }
    html = await response.text();
  } catch {
    if (mine === latest) {
      document.documentElement.removeAttribute('aria-busy');
      fallback();
    }
    return;
  }
  if (mine !== latest) return; // a later click won
  const next = new DOMParser().parseFromString(html, 'text/html');
  document.title = next.title;
  document.documentElement.lang = next.documentElement.lang;
  document.body.replaceChildren(...next.body.childNodes);
  document.documentElement.removeAttribute('aria-busy');
  const url = response.redirected ? response.url : href;
  if (push && url !== location.href) history.pushState(null, '', url);
  for (const island of document.querySelectorAll('leptos-island')) {
    window.__hydrateIsland?.(island, island.dataset.component);
  }
  const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (target) {
    target.scrollIntoView();
  } else if (top) {
    scrollTo(0, 0);
    // Tell assistive technology that a new page is there, as a load would.
    const heading = document.querySelector('main h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
  }
}
