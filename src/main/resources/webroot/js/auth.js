// Access tokens for a server that has auth on. The page learns it needs one from an API answer
// (401), asks for it once, and keeps it for this tab only (sessionStorage: gone when the tab
// closes, never sent to another site). The token goes on API calls as a bearer token and on the
// bridge URL as ?token=.

const KEY = 'oneloop.token';
const listeners = new Set();
let asked = false;

/** The token this tab holds, or null. */
export function token() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null; // storage blocked: the page then works only where no token is needed
  }
}

/** Headers that carry the token, if any. */
export function authHeaders() {
  const t = token();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/** url with ?token= (URL-encoded) when a token is held. */
export function withToken(url) {
  const t = token();
  if (!t) {
    return url;
  }
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(t)}`;
}

/** Calls listener(message) when the page needs a token it does not have, or its token was refused. */
export function onTokenProblem(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The server answered 401 to a request sent with the token `sent` (or none). The first time,
 * ask for a token and return true when one was given (the caller then tries again); after that,
 * say so and return false.
 */
export function unauthorized(sent) {
  const hadToken = sent !== null && sent !== undefined;
  if (!asked) {
    asked = true;
    const given = window.prompt(
      (hadToken ? 'The server refused the access token of this tab.\n\n' : 'This server needs an access token.\n\n')
        + 'Enter your token. It is kept for this tab only and sent with each request to this server.');
    if (given && given.trim() !== '') {
      sessionStorage.setItem(KEY, given.trim());
      return true;
    }
  }
  const message = hadToken
    ? 'The server refused this tab\'s access token. Reload the page to enter another one.'
    : 'This server needs an access token. Reload the page to enter one.';
  if (hadToken && token() === sent) {
    sessionStorage.removeItem(KEY);
  }
  for (const listener of listeners) {
    listener(message);
  }
  return false;
}
