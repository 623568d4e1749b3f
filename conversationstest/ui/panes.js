// panes.js: renders the inspector's panes from the state app.js loads.
import * as api from './api.js';
import { $, h, fill, when, badge, pill, ticks, size, prettyJSON, empty, fullDate } from './view.js';

// channelOf names how a participant is reached: its binding's channel (sms,
// whatsapp, …) or chat for an identity.
export function channelOf(p) {
  if (p && p.messaging_binding && p.messaging_binding.address) return p.messaging_binding.type || 'sms';
  if (p && p.identity) return 'chat';
  return 'api';
}

// nameOf names a conversation: its friendly or unique name, else who is in it.
const nameOf = (S, c) => c.friendly_name || c.unique_name ||
  (S.members.get(c.sid) || []).map(who).slice(0, 3).join(', ') || c.sid;
// who names a participant: its address (without the whatsapp: prefix, which
// its channel badge shows) or identity.
const who = (p) => ((p.messaging_binding && p.messaging_binding.address) || '').replace(/^whatsapp:/, '') || p.identity || p.sid;

export function problem(message) {
  const el = $('problem');
  el.textContent = message;
  el.hidden = !message;
}

export function live(connected) {
  $('live').classList.toggle('on', connected);
  $('live-text').textContent = connected ? 'live' : 'reconnecting';
}

export function clock(c) {
  const el = $('clock-now');
  el.textContent = fullDate(c.now).replace(/:\d\d UTC$/, ' UTC');
  el.title = 'The emulator\'s clock' + (c.offset_seconds ? ', advanced by ' + c.offset_seconds + 's' : '') + (c.frozen ? ' (frozen)' : '');
  el.classList.toggle('shifted', !!c.offset_seconds);
}

export function services(S, onPick) {
  const sel = $('service');
  const sig = S.services.map((s) => s.sid + s.friendly_name).join('|') + S.service;
  if (sel.dataset.sig === sig) return;
  sel.dataset.sig = sig;
  fill(sel, S.services.map((s) => h('option', { value: s.sid, selected: s.sid === S.service },
    s.friendly_name + (s.sid === S.defaultService && !/default/i.test(s.friendly_name) ? ' · default' : ''))));
  sel.onchange = () => onPick(sel.value);
}

function matches(S, c) {
  if (!S.filter) return true;
  const hay = [c.sid, c.friendly_name, c.unique_name, c.state,
    ...(S.members.get(c.sid) || []).map(who)].join(' ').toLowerCase();
  return hay.includes(S.filter);
}

export function conversationList(S, onSelect) {
  const ul = $('conversations');
  $('conv-count').textContent = S.conversations.length || '';
  const shown = S.conversations.filter((c) => matches(S, c));
  if (!shown.length) {
    fill(ul, h('li', { class: 'empty-li' }, S.conversations.length
      ? empty('No match', 'Nothing matches “' + S.filter + '”.')
      : empty('No conversations yet', 'Text in from a new number with “+ Text in” (auto-creation must be on for that number), or create one through the API.')));
    return;
  }
  fill(ul, shown.map((c) => {
    const members = S.members.get(c.sid) || [];
    const channels = [...new Set(members.map(channelOf))];
    return h('li', { class: 'conv' + (c.sid === S.selected ? ' selected' : ''), dataset: { sid: c.sid },
      tabindex: 0, role: 'button',
      onclick: () => onSelect(c.sid),
      onkeydown: (ev) => { if (ev.key === 'Enter') onSelect(c.sid); } },
    h('div', { class: 'conv-top' }, h('span', { class: 'conv-name' }, nameOf(S, c)), when(c.date_updated)),
    h('div', { class: 'conv-sub' }, pill(c.state), channels.map(badge),
      (c.friendly_name || c.unique_name || !members.length) &&
        h('span', { class: 'conv-who' }, members.map(who).slice(0, 3).join(', ') || 'no participants')));
  }));
}

// groupOf describes a Group MMS conversation, or returns null for another
// one: its members (SMS participants with an address and no proxy address)
// and the group's Twilio number when the page knows it (a chat
// participant's projected address, a group texted in from this tab, or
// the number a member's phone received the conversation's messages from).
export function groupOf(S, sid, participants) {
  const members = participants.filter((p) => p.messaging_binding && p.messaging_binding.address && !p.messaging_binding.proxy_address)
    .map((p) => p.messaging_binding.address);
  const projected = participants.find((p) => p.messaging_binding && p.messaging_binding.projected_address);
  if (!members.length && !projected) return null;
  const seen = S.phoneMessages.find((m) => m.conversation_sid === sid && members.includes(m.to));
  const number = (projected && projected.messaging_binding.projected_address) || S.groupNumbers[sid] || (seen && seen.from) || '';
  return { number, members };
}

function groupInfo(g) {
  return h('div', { class: 'group-info', id: 'group-info' },
    h('span', { class: 'badge ch-group' }, 'Group MMS'),
    g.number ? h('span', { class: 'group-number' }, 'via ', h('code', null, g.number)) : h('span', { class: 'muted' }, 'group number not known to this page'),
    h('span', { class: 'group-members' }, g.members.length + (g.members.length === 1 ? ' member: ' : ' members: ') + g.members.join(', ')));
}

function participantsByChannel(S) {
  const groups = new Map();
  for (const p of S.participants) {
    const ch = channelOf(p);
    if (!groups.has(ch)) groups.set(ch, []);
    groups.get(ch).push(p);
  }
  if (!groups.size) return h('div', { class: 'muted' }, 'No participants');
  return h('div', { class: 'members' }, [...groups].map(([ch, ps]) => h('div', { class: 'member-group' },
    badge(ch),
    ps.map((p) => h('span', { class: 'member', title: p.sid },
      who(p),
      p.messaging_binding && p.messaging_binding.proxy_address && h('span', { class: 'proxy' }, ' via ' + p.messaging_binding.proxy_address),
      p.messaging_binding && p.messaging_binding.projected_address && h('span', { class: 'proxy' }, ' as ' + p.messaging_binding.projected_address))))));
}

function threadHead(S, c) {
  const attrs = prettyJSON(c.attributes || '{}');
  const timers = [c.timers && c.timers.date_inactive && ['inactive', c.timers.date_inactive],
    c.timers && c.timers.date_closed && ['closes', c.timers.date_closed]].filter(Boolean);
  return [
    h('div', { class: 'head-top' },
      h('h2', null, nameOf(S, c)), pill(c.state),
      h('button', { class: 'sid', title: 'Copy the SID', type: 'button',
        onclick: () => navigator.clipboard && navigator.clipboard.writeText(c.sid) }, c.sid)),
    h('div', { class: 'head-meta' },
      c.unique_name && h('span', null, 'unique name ', h('code', null, c.unique_name)),
      h('span', null, 'created ', when(c.date_created)),
      timers.map(([label, t]) => h('span', { class: 'timer' }, label + ' ', when(t)))),
    S.group && groupInfo(S.group),
    participantsByChannel(S),
    attrs !== '{}' && h('details', { class: 'attrs' }, h('summary', null, 'Attributes'), h('pre', null, attrs)),
  ];
}

function mediaList(S, media, serviceSid) {
  if (!media || !media.length) return null;
  return h('div', { class: 'media' }, media.map((m) => {
    const label = (m.filename || m.sid) + ' · ' + m.content_type + ' · ' + size(m.size || 0);
    if (!/^image\//.test(m.content_type) || !serviceSid) return h('span', { class: 'file' }, label);
    const img = h('img', { alt: m.filename || m.sid, title: label, loading: 'lazy' });
    loadImage(img, serviceSid, m.sid);
    return img;
  }));
}

const images = new Map(); // ME… → object URL (media bytes never change)
async function loadImage(img, serviceSid, sid) {
  try {
    if (!images.has(sid)) images.set(sid, api.blobURL('/v1/Services/' + serviceSid + '/Media/' + sid + '/Content'));
    img.src = await images.get(sid);
  } catch (e) {
    images.delete(sid);
    img.replaceWith(h('span', { class: 'file' }, sid + ' (gone)'));
  }
}

function deliveryRows(S, m) {
  const r = S.receipts.get(m.sid);
  if (!r || !r.list.length) return null;
  const bySid = new Map(S.participants.map((p) => [p.sid, p]));
  return h('div', { class: 'delivery' }, S.group && h('span', { class: 'recv-label' }, 'Received by'), r.list.map((x) => {
    const p = bySid.get(x.participant_sid);
    return h('span', { class: 'receipt', title: x.status + (x.error_code ? ' (error ' + x.error_code + ')' : '') + ' · ' + x.channel_message_sid },
      ticks(x.status), ' ', p ? who(p) : x.participant_sid,
      x.error_code ? h('span', { class: 'err-code' }, ' ' + x.error_code) : null);
  }));
}

export function thread(S, onSelect) {
  const box = $('thread');
  const head = $('thread-head');
  const c = S.conversations.find((x) => x.sid === S.selected);
  S.group = null;
  if (!c) {
    fill(head);
    head.hidden = true;
    delete box.dataset.sid;
    fill(box, empty(S.custom ? 'Text in from a new number' : 'No conversation selected',
      S.custom
        ? 'Pick SMS or WhatsApp, type the customer’s number and the number they write to. A conversation is created when an address configuration of that number has auto-creation on.'
        : 'Pick a conversation on the left, or text in as a new number with “+ Text in”.'));
    return;
  }
  head.hidden = false;
  if (S.threadOf !== c.sid) {
    // Chosen a moment ago: its messages are on their way.
    fill(head, h('div', { class: 'head-top' }, h('h2', null, nameOf(S, c)), pill(c.state)));
    fill(box);
    return;
  }
  S.group = groupOf(S, c.sid, S.participants);
  fill(head, threadHead(S, c));
  const stick = box.dataset.sid !== c.sid || box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.dataset.sid = c.sid;
  const bySid = new Map(S.participants.map((p) => [p.sid, p]));
  if (!S.messages.length) {
    fill(box, empty('No messages yet', 'Write below as one of the participants.'));
    return;
  }
  const first = S.messages[0].index;
  fill(box, first > 0 && h('div', { class: 'earlier' }, 'Earlier messages (#0–#' + (first - 1) + ') are not shown'),
    S.messages.map((m, i) => {
    const p = bySid.get(m.participant_sid);
    const ch = channelOf(p);
    const inbound = ch !== 'chat' && ch !== 'api';
    // A message right after one by the same author, within two minutes, goes
    // on without repeating who wrote it.
    const prev = S.messages[i - 1];
    const cont = prev && prev.author === m.author && Date.parse(m.date_created) - Date.parse(prev.date_created) < 120000;
    return h('article', { class: 'msg ' + (inbound ? 'in' : 'out') + (cont ? ' cont' : ''), dataset: { sid: m.sid }, title: '#' + m.index },
      !cont && h('div', { class: 'msg-meta' }, h('span', { class: 'author' }, (m.author || 'system').replace(/^whatsapp:/, '')), badge(ch),
        h('span', { class: 'index' }, '#' + m.index), when(m.date_created)),
      m.body !== null && m.body !== '' && h('div', { class: 'bubble' }, m.body),
      mediaList(S, m.media, c.chat_service_sid),
      deliveryRows(S, m));
  }));
  if (stick) box.scrollTop = box.scrollHeight;
}

// composer fills the "Text in as" choices: the conversation's SMS and
// WhatsApp participants, its chat identities, and any other address.
export function composer(S, channelChanged) {
  const sel = $('as');
  const options = [];
  const group = S.selected ? groupOf(S, S.selected, S.participants) : null;
  for (const p of S.participants) {
    const b = p.messaging_binding;
    if (group && group.number && b && b.address && !b.proxy_address) {
      // A member texts the group: the group's number, the other members.
      options.push({ value: JSON.stringify({ channel: 'sms', from: b.address, to: group.number, others: group.members.filter((a) => a !== b.address) }),
        label: 'Group MMS ' + b.address });
    } else if (b && b.address && b.proxy_address) {
      options.push({ value: JSON.stringify({ channel: b.type === 'whatsapp' ? 'whatsapp' : 'sms', from: b.address, to: b.proxy_address }),
        label: (b.type === 'whatsapp' ? 'WhatsApp ' : 'SMS ') + b.address.replace(/^whatsapp:/, '') });
    } else if (p.identity) {
      options.push({ value: JSON.stringify({ channel: 'chat', conversation: p.conversation_sid, identity: p.identity }),
        label: 'Chat ' + p.identity });
    }
  }
  options.push({ value: 'custom', label: 'Another number…' });
  const custom = S.custom || options.length === 1;
  const sig = options.map((o) => o.value).join('|') + custom;
  if (sel.dataset.sig !== sig) {
    sel.dataset.sig = sig;
    const keep = sel.value;
    fill(sel, options.map((o) => h('option', { value: o.value }, o.label)));
    sel.value = custom ? 'custom' : (options.some((o) => o.value === keep) && keep !== 'custom' ? keep : options[0].value);
  }
  $('custom-fields').hidden = sel.value !== 'custom';
  if (sel.value !== 'custom') return;
  // Suggest the numbers with auto-creation on for the chosen channel.
  const channel = $('in-channel').value;
  $('in-others').hidden = channel !== 'sms'; // Group MMS is SMS only
  const numbers = S.autoAddresses.filter((a) => a.type === channel).map((a) => a.address.replace(/^whatsapp:/, ''));
  fill($('to-numbers'), numbers.map((n) => h('option', { value: n })));
  if (!$('in-to').value || channelChanged) {
    const proxy = S.participants.find((p) => p.messaging_binding && p.messaging_binding.proxy_address);
    const guess = numbers[0] || (proxy && proxy.messaging_binding.proxy_address.replace(/^whatsapp:/, ''));
    if (guess) $('in-to').value = guess;
  }
}

// inboundRequest is the POST /_emulator/inbound body the composer describes
// (without the body), or null with the problem shown.
export function inboundRequest() {
  const v = $('as').value;
  if (v !== 'custom') return JSON.parse(v);
  const from = $('in-from').value.trim();
  const to = $('in-to').value.trim();
  if (!from || !to) {
    composerError('Type the customer’s address (from) and the number they write to (to).');
    (from ? $('in-to') : $('in-from')).focus();
    return null;
  }
  const req = { channel: $('in-channel').value, from, to };
  // Other recipients make it a Group MMS (SMS only).
  const others = $('in-others').value.split(/[\s,]+/).filter(Boolean);
  if (others.length && req.channel === 'sms') req.others = others;
  return req;
}

// attachments lists the files picked for the next message.
export function attachments(S, onDrop) {
  const box = $('attachments');
  box.hidden = !S.attachments.length;
  fill(box, S.attachments.map((a, i) => h('span', { class: 'file' }, a.filename + ' · ' + size(a.size),
    h('button', { type: 'button', title: 'Remove', 'aria-label': 'Remove ' + a.filename, onclick: () => onDrop(i) }, '✕'))));
}

export function composerError(message) {
  const el = $('composer-error');
  el.textContent = message;
  el.hidden = !message;
}

export function phone(S, onPick, onDeliveries) {
  const sel = $('phone-pick');
  const addresses = new Map(S.phones.map((p) => [p.address, p.count]));
  for (const p of S.participants) {
    if (p.messaging_binding && p.messaging_binding.address && !addresses.has(p.messaging_binding.address)) addresses.set(p.messaging_binding.address, 0);
  }
  if (S.phone && !addresses.has(S.phone)) addresses.set(S.phone, 0);
  const sig = [...addresses].join('|') + S.phone;
  if (sel.dataset.sig !== sig) {
    sel.dataset.sig = sig;
    fill(sel, addresses.size ? [...addresses].map(([a, n]) => h('option', { value: a, selected: a === S.phone }, a + (n ? '  (' + n + ')' : '')))
      : h('option', { value: '' }, 'No simulated phones yet'));
    sel.onchange = () => onPick(sel.value);
  }
  const box = $('phone');
  if (!S.phone) {
    fill(box, empty('No phone yet', 'Messages sent to SMS and WhatsApp participants land on their simulated phones.'));
    return;
  }
  const failing = S.failing.find((f) => f.address === S.phone);
  const mode = failing ? failing.status : 'delivered';
  const modes = [['delivered', 'Deliver'], ['failed', 'Fail'], ['undelivered', 'Undelivered']];
  const controls = h('div', { class: 'phone-controls' }, h('span', null, 'Deliveries'),
    h('div', { class: 'seg', role: 'group' }, modes.map(([m, label]) => h('button', {
      type: 'button', class: m === mode ? 'on' : '', 'aria-pressed': m === mode ? 'true' : 'false',
      onclick: () => m !== mode && onDeliveries(S.phone, m),
    }, label))));
  const stick = box.dataset.addr !== S.phone || box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.dataset.addr = S.phone;
  const screen = S.phoneMessages.length
    ? S.phoneMessages.map((m) => h('div', { class: 'sms', dataset: { sid: m.message_sid } },
      h('div', { class: 'sms-from' }, m.author + ' · ' + m.from),
      m.body && h('div', { class: 'sms-body' }, m.body),
      mediaList(S, m.media, serviceOfConversation(S, m.conversation_sid)),
      h('div', { class: 'sms-meta' }, ticks(m.status), ' ', m.status, ' · ', when(m.date_sent))))
    : empty('Nothing received yet', failing ? 'Deliveries to this address ' + (mode === 'failed' ? 'fail' : 'go undelivered') + '.' : 'Replies to this address show up here.');
  fill(box, controls, h('div', { class: 'screen' }, screen));
  if (stick) box.scrollTop = box.scrollHeight;
}

function serviceOfConversation(S, sid) {
  const c = S.conversations.find((x) => x.sid === sid);
  return c ? c.chat_service_sid : S.service;
}

export function webhooks(S, onSelect) {
  $('hook-count').textContent = S.webhooks.length || '';
  const ol = $('webhooks');
  const only = $('hooks-only').checked && S.selected;
  const shown = only ? S.webhooks.filter((d) => d.conversation_sid === S.selected) : S.webhooks;
  if (only && !shown.length) {
    fill(ol, h('li', { class: 'empty-li' }, empty('No webhooks for this conversation', 'Untick the box to see every delivery.')));
    return;
  }
  if (!shown.length) {
    fill(ol, h('li', { class: 'empty-li' }, empty('No webhook deliveries yet',
      'Start the emulator with -webhook-url to forward every event to your app, or set webhooks through the API.')));
    return;
  }
  fill(ol, shown.slice().reverse().map((d) => {
    const ok = d.status >= 200 && d.status < 300;
    const status = d.status ? String(d.status) : 'no answer';
    return h('li', { class: 'hook' + (ok ? '' : ' bad') },
      h('div', { class: 'hook-top' },
        h('span', { class: 'event' }, d.event), h('span', { class: 'kind' }, d.pre ? 'pre-event' : 'post-event'),
        h('span', { class: 'code ' + (ok ? 'ok' : 'ko') }, status),
        d.decision && h('span', { class: 'decision dc-' + d.decision }, d.decision),
        h('span', { class: 'latency' }, (Math.round(d.latency_ms * 10) / 10) + ' ms')),
      h('div', { class: 'hook-url' }, d.method + ' ' + d.url),
      h('div', { class: 'hook-sub' }, when(d.time),
        d.conversation_sid && h('a', { href: '#', onclick: (ev) => { ev.preventDefault(); onSelect(d.conversation_sid); } }, d.conversation_sid)),
      (d.error || d.response_excerpt) && h('details', null, h('summary', null, d.error ? 'Error' : 'Response'),
        h('pre', null, d.error || d.response_excerpt)));
  }));
}

export function tabs(S) {
  for (const t of document.querySelectorAll('.tab')) {
    const on = t.dataset.tab === S.tab;
    t.classList.toggle('active', on);
    t.setAttribute('aria-selected', on ? 'true' : 'false');
  }
  $('panel-phones').hidden = S.tab !== 'phones';
  $('panel-webhooks').hidden = S.tab !== 'webhooks';
}
