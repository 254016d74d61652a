// Calls to the server's HTTP API (same origin, so the page's policy allows them).
import { authHeaders, token, unauthorized } from './auth.js';

/** The server could not be reached, or answered something that is not JSON. */
export class HttpError extends Error {
  constructor(message) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * Sends a request and resolves with { status, ok, body, headers } whatever the status, body being
 * the parsed JSON answer (null when empty). Rejects with an HttpError when there is no answer
 * (server down, timeout) or the answer is not JSON.
 */
export async function requestJson(method, url, body, { timeoutMs = 10_000, retried = false } = {}) {
  const sent = token();
  const init = { method, headers: { Accept: 'application/json', ...authHeaders() }, signal: AbortSignal.timeout(timeoutMs) };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (e) {
    throw new HttpError(e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : 'the server cannot be reached');
  }
  if (response.status === 401) {
    // A token that came while this request was on its way (another request asked for it) gets one more try.
    const renewed = token() !== null && token() !== sent;
    if (!retried && (renewed || unauthorized(sent))) {
      return requestJson(method, url, body, { timeoutMs, retried: true });
    }
    if (retried) {
      unauthorized(sent);
    }
  }
  const text = await response.text();
  let parsed = null;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new HttpError(`the server answered ${response.status} with a body that is not JSON`);
    }
  }
  return { status: response.status, ok: response.ok, body: parsed, headers: response.headers };
}

/** The server's own words for a failed request ({"error": "..."}), else its status. */
export function errorText(response) {
  const error = response.body && typeof response.body.error === 'string' ? response.body.error : '';
  return error || `the server answered ${response.status}`;
}
