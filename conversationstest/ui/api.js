// api.js: the inspector's access to the emulator — credentials, JSON
// requests with an explicit Authorization header, and the live change feed.

// The credentials an emulator built without options accepts
// (conversationstest.DefaultAccountSID and DefaultAuthToken).
export const DEFAULT_ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const DEFAULT_AUTH_TOKEN = '0123456789abcdef0123456789abcdef';

const STORAGE_KEY = 'conversations-emulator-auth';

// AuthError is thrown when the emulator refuses the credentials.
export class AuthError extends Error {}

// APIError carries the emulator's HTTP status and message.
export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let authHeader = null;

// loadCredentials takes the credentials from the URL fragment (#<base64 of
// sid:token>, as the emulator prints it) or from this tab's sessionStorage.
// The fragment is removed from the address bar once read.
export function loadCredentials() {
  const frag = decodeURIComponent(location.hash.replace(/^#/, '')).trim();
  if (frag) {
    history.replaceState(null, '', location.pathname + location.search);
    try {
      const pair = atob(frag);
      const i = pair.indexOf(':');
      if (i > 0) {
        setCredentials(pair.slice(0, i), pair.slice(i + 1));
        return true;
      }
    } catch (e) {
      // not base64: fall through to the stored credentials or the form
    }
  }
  const stored = sessionStorage.getItem(STORAGE_KEY);
  if (stored) {
    authHeader = 'Basic ' + stored;
    return true;
  }
  return false;
}

// setCredentials keeps sid:token for this tab only (sessionStorage).
export function setCredentials(sid, token) {
  const b64 = btoa(unescape(encodeURIComponent(sid + ':' + token)));
  sessionStorage.setItem(STORAGE_KEY, b64);
  authHeader = 'Basic ' + b64;
}

// forgetCredentials drops them.
export function forgetCredentials() {
  sessionStorage.removeItem(STORAGE_KEY);
  authHeader = null;
}

function init(method, body) {
  const headers = { Authorization: authHeader || '', Accept: 'application/json' };
  const opts = { method, headers, cache: 'no-store', credentials: 'omit', redirect: 'follow' };
  if (method === 'GET') {
    // The emulator leaves the inspector's reads out of its request log.
    headers['X-Emulator-Client'] = 'inspector';
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  return opts;
}

// request sends one JSON request and returns the decoded answer.
export async function request(method, path, body) {
  const res = await fetch(path, init(method, body));
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = { message: text.slice(0, 200) };
    }
  }
  if (res.status === 401) {
    throw new AuthError((data && data.message) || 'The emulator refused these credentials');
  }
  if (!res.ok) {
    throw new APIError(res.status, (data && data.message) || res.status + ' ' + res.statusText);
  }
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);

// blobURL fetches a media file's bytes and returns an object URL for them.
export async function blobURL(path) {
  const res = await fetch(path, init('GET'));
  if (!res.ok) throw new APIError(res.status, res.statusText);
  return URL.createObjectURL(await res.blob());
}

// listen follows GET /_emulator/events, a server-sent event stream read with
// fetch (EventSource cannot send an Authorization header). onVersion gets
// each new version; onState gets true when connected, false when not. It
// reconnects with a backoff until the credentials are refused.
export async function listen(onVersion, onState, onAuthError) {
  let after = 0;
  let backoff = 500;
  for (;;) {
    try {
      const res = await fetch('/_emulator/events?after=' + after, init('GET'));
      if (res.status === 401) {
        onState(false);
        onAuthError();
        return;
      }
      if (!res.ok || !res.body) throw new APIError(res.status, res.statusText);
      onState(true);
      backoff = 500;
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('');
          if (!data) continue;
          const ev = JSON.parse(data);
          after = ev.version;
          onVersion(ev);
        }
      }
    } catch (e) {
      // the emulator stopped or restarted: retry below
    }
    onState(false);
    await new Promise((r) => setTimeout(r, backoff));
    backoff = Math.min(backoff * 2, 5000);
  }
}
