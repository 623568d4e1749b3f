// view.js: small DOM and formatting helpers. Text always goes in with
// textContent, never as HTML, since message bodies and attributes come from
// whoever wrote them.

// h builds an element: h('div', {class: 'x', onclick: f}, child, 'text', …).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// fill replaces el's children.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

export const $ = (id) => document.getElementById(id);

// The emulator's clock may have been advanced: relative times are measured
// from the emulator's "now", kept as an offset from the browser's clock.
let skew = 0;
export function setEmulatorNow(iso) {
  const t = Date.parse(iso);
  if (!Number.isNaN(t)) skew = t - Date.now();
}
export const emulatorNow = () => Date.now() + skew;

// ago renders an RFC 3339 time relative to the emulator's clock.
export function ago(iso) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.round((emulatorNow() - t) / 1000);
  const a = Math.abs(s);
  let text;
  if (a < 10) return 'just now';
  if (a < 60) text = a + 's';
  else if (a < 3600) text = Math.floor(a / 60) + 'm';
  else if (a < 86400) text = Math.floor(a / 3600) + 'h';
  else text = Math.floor(a / 86400) + 'd';
  return s >= 0 ? text + ' ago' : 'in ' + text;
}

// when renders a time element that the ticker keeps fresh.
export function when(iso) {
  return h('time', { datetime: iso, title: fullDate(iso), class: 'ago' }, ago(iso));
}

export function fullDate(iso) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

// refreshTimes updates every relative time on the page.
export function refreshTimes() {
  for (const el of document.querySelectorAll('time.ago')) el.textContent = ago(el.getAttribute('datetime'));
}

const CHANNEL_NAMES = { sms: 'SMS', whatsapp: 'WhatsApp', chat: 'Chat', api: 'API', messenger: 'Messenger', rcs: 'RCS', gbm: 'GBM' };

export function badge(channel) {
  return h('span', { class: 'badge ch-' + channel }, CHANNEL_NAMES[channel] || channel);
}

export function pill(state) {
  return h('span', { class: 'pill st-' + state }, state);
}

// ticks renders a delivery status as ticks: sent ✓, delivered ✓✓, read
// ✓✓ (blue), failed ✕, undelivered !.
export function ticks(status) {
  const marks = { sent: '✓', delivered: '✓✓', read: '✓✓', failed: '✕', undelivered: '!' };
  return h('span', { class: 'ticks dl-' + status, title: status }, marks[status] || '…');
}

export function size(n) {
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KB';
  return (n / 1024 / 1024).toFixed(1) + ' MB';
}

// prettyJSON formats an attributes string, or returns it unchanged.
export function prettyJSON(s) {
  try {
    return JSON.stringify(JSON.parse(s), null, 2);
  } catch (e) {
    return s;
  }
}

export function empty(title, text) {
  return h('div', { class: 'empty' }, h('div', { class: 'empty-title' }, title), text && h('p', null, text));
}
