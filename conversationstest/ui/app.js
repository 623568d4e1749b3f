// app.js: the inspector's state, its refresh from the emulator, and the
// wiring of the page. Rendering of each pane lives in panes.js.
import * as api from './api.js';
import { $, refreshTimes, setEmulatorNow } from './view.js';
import * as panes from './panes.js';

// S is everything the page shows, reloaded from the emulator on each change.
const S = {
  services: [],
  defaultService: '',
  service: '', // IS… shown
  conversations: [],
  members: new Map(), // CH… → participants, for the list's addresses and the filter
  selected: '', // CH… shown in the thread, '' for none
  threadOf: '', // CH… whose messages and participants are loaded
  messages: [],
  participants: [],
  receipts: new Map(), // IM… → {key, list}
  phones: [], // [{address, count}]
  phone: '', // address shown in the phone panel
  phoneMessages: [],
  failing: [],
  autoAddresses: [], // address configurations with auto-creation on
  webhooks: [],
  tab: sessionStorage.getItem('conversations-emulator-tab') || 'phones',
  filter: '',
  custom: false, // the composer texts in from an address typed by hand
  firstLoad: true, // select the newest conversation when the page opens
  attachments: [], // files picked for the next message: {filename, content_type, size, data}
  group: null, // the shown conversation's Group MMS members and number, or null
  // CH… → the Twilio number of the Group MMS conversations texted in from
  // this tab (the REST API does not show an auto-created group's number).
  groupNumbers: JSON.parse(sessionStorage.getItem('conversations-emulator-groups') || '{}'),
};

let membersReadAt = 0; // when every conversation's participants were last read
let settle = null; // the full pass due after a partial one

const svcPath = () => '/v1/Services/' + encodeURIComponent(S.service);
const convPath = (sid) => svcPath() + '/Conversations/' + encodeURIComponent(sid);

// list reads every page of a REST list (up to max items).
async function list(path, key, max = 1000) {
  const out = [];
  let url = path + (path.includes('?') ? '&' : '?') + 'PageSize=100';
  while (url && out.length < max) {
    const page = await api.get(url);
    out.push(...(page[key] || []));
    const next = page.meta && page.meta.next_page_url;
    url = next ? new URL(next, location.href).pathname + new URL(next, location.href).search : '';
  }
  return out;
}

async function loadServices() {
  const [services, config, clock, addresses] = await Promise.all([
    list('/v1/Services', 'services'),
    api.get('/v1/Configuration'),
    api.get('/_emulator/clock'),
    list('/v1/Configuration/Addresses', 'address_configurations'),
  ]);
  // The numbers a new customer can text: those with auto-creation on.
  S.autoAddresses = addresses.filter((a) => a.auto_creation && a.auto_creation.enabled);
  setEmulatorNow(clock.now);
  panes.clock(clock);
  S.services = services;
  S.defaultService = config.default_chat_service_sid;
  if (!services.some((s) => s.sid === S.service)) S.service = S.defaultService || (services[0] && services[0].sid) || '';
}

async function loadConversations() {
  S.conversations = S.service ? await list(svcPath() + '/Conversations', 'conversations') : [];
  S.conversations.sort((a, b) => Date.parse(b.date_updated) - Date.parse(a.date_updated) ||
    Date.parse(b.date_created) - Date.parse(a.date_created) || (a.sid < b.sid ? -1 : 1));
  // Participants of every listed conversation, for the list and the filter.
  // Within a second of the last full pass, only the conversations that are
  // new or updated are read again, and a full pass follows shortly: a burst
  // of changes stays quick however many conversations there are.
  const full = Date.now() - membersReadAt > 1000;
  const members = new Map();
  await Promise.all(S.conversations.slice(0, 200).map(async (c) => {
    const cached = S.members.get(c.sid);
    if (!full && cached && cached.updated === c.date_updated && c.sid !== S.selected) {
      members.set(c.sid, cached);
      return;
    }
    const ps = await list(convPath(c.sid) + '/Participants', 'participants');
    ps.updated = c.date_updated;
    members.set(c.sid, ps);
  }));
  S.members = members;
  if (full) membersReadAt = Date.now();
  else if (!settle) settle = setTimeout(() => { settle = null; refresh(); }, 1100);
  if (S.selected && !S.conversations.some((c) => c.sid === S.selected)) S.selected = '';
  if (S.firstLoad && !S.selected && S.conversations.length && !S.custom) S.selected = S.conversations[0].sid;
  S.firstLoad = false;
}

async function loadThread() {
  S.threadOf = S.selected;
  if (!S.selected) {
    S.messages = [];
    S.participants = [];
    return;
  }
  const base = convPath(S.selected);
  // The newest 200 messages, oldest first.
  const [newest, participants] = await Promise.all([
    list(base + '/Messages?Order=desc', 'messages', 200),
    list(base + '/Participants', 'participants'),
  ]);
  S.messages = newest.reverse();
  S.participants = participants;
  const receipts = new Map();
  await Promise.all(S.messages.filter((m) => m.delivery).map(async (m) => {
    const key = JSON.stringify(m.delivery) + m.date_updated;
    const cached = S.receipts.get(m.sid);
    if (cached && cached.key === key && !cached.list.some((r) => r.status === 'sent')) {
      receipts.set(m.sid, cached);
      return;
    }
    receipts.set(m.sid, { key, list: await list(base + '/Messages/' + m.sid + '/Receipts', 'delivery_receipts') });
  }));
  S.receipts = receipts;
}

async function loadSide() {
  const [phones, hooks, failing] = await Promise.all([
    api.get('/_emulator/phones'),
    api.get('/_emulator/webhooks'),
    api.get('/_emulator/deliveries'),
  ]);
  S.phones = phones.phones || [];
  S.webhooks = hooks.deliveries || [];
  S.failing = failing.failing || [];
  if (!S.phone) {
    const mine = S.participants.find((p) => p.messaging_binding && p.messaging_binding.address);
    S.phone = mine ? mine.messaging_binding.address : (S.phones[0] && S.phones[0].address) || '';
  }
  S.phoneMessages = S.phone ? (await api.get('/_emulator/phones/' + encodeURIComponent(S.phone))).messages || [] : [];
}

// refresh reloads everything and re-renders. Calls made while one runs are
// folded into one more run after it.
let running = false;
let again = false;
export async function refresh() {
  if (running) {
    again = true;
    return;
  }
  running = true;
  try {
    do {
      again = false;
      await loadServices();
      await loadConversations();
      await Promise.all([loadThread(), loadSide()]);
      render();
    } while (again);
  } catch (e) {
    if (e instanceof api.AuthError) signIn(e.message);
    else panes.problem(e.message);
  } finally {
    running = false;
  }
}

function render() {
  panes.problem('');
  panes.services(S, (sid) => {
    S.service = sid;
    S.selected = '';
    refresh();
  });
  panes.conversationList(S, select);
  panes.thread(S, select);
  panes.composer(S);
  panes.phone(S, (addr) => {
    S.phone = addr;
    refresh();
  }, setDeliveries);
  panes.webhooks(S, select);
  panes.tabs(S);
}

function select(sid, serviceSid) {
  S.firstLoad = false;
  if (serviceSid && serviceSid !== S.service) S.service = serviceSid;
  if (S.selected !== sid) {
    S.selected = sid;
    S.custom = false;
    S.participants = [];
    const first = (S.members.get(sid) || []).find((p) => p.messaging_binding && p.messaging_binding.address);
    if (first) S.phone = first.messaging_binding.address;
  }
  refresh();
}

async function setDeliveries(address, status) {
  try {
    await api.post('/_emulator/deliveries', { address, status });
  } catch (e) {
    panes.problem(e.message);
  }
  refresh();
}

async function send(ev) {
  ev.preventDefault();
  const body = $('body').value;
  const req = panes.inboundRequest(S);
  if (!req) return;
  if (!body.trim() && !S.attachments.length) {
    $('body').focus();
    return;
  }
  req.body = body;
  if (S.attachments.length) {
    req.media = S.attachments.map(({ content_type, filename, data }) => ({ content_type, filename, data }));
  }
  panes.composerError('');
  $('send').disabled = true;
  try {
    const res = await api.post('/_emulator/inbound', req);
    $('body').value = '';
    S.attachments = [];
    panes.attachments(S, dropAttachment);
    if (req.others) {
      // A member other than the sender shows what the group received.
      S.groupNumbers[res.conversation.sid] = req.to;
      sessionStorage.setItem('conversations-emulator-groups', JSON.stringify(S.groupNumbers));
      S.phone = req.others[0];
      $('in-others').value = '';
    } else if (req.channel !== 'chat') S.phone = res.message.author;
    S.custom = false;
    select(res.conversation.sid, res.conversation.chat_service_sid);
  } catch (e) {
    if (e instanceof api.AuthError) return signIn(e.message);
    panes.composerError(e.message);
  } finally {
    $('send').disabled = false;
    $('body').focus();
  }
}

// attach reads the picked files as base64 for POST /_emulator/inbound.
async function attach() {
  const files = [...$('attach').files];
  $('attach').value = '';
  for (const f of files) {
    const data = await new Promise((resolve, reject) => {
      const r = new FileReader();
      r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
      r.onerror = () => reject(r.error);
      r.readAsDataURL(f);
    });
    S.attachments.push({ filename: f.name, content_type: f.type || 'application/octet-stream', size: f.size, data });
  }
  panes.attachments(S, dropAttachment);
}

function dropAttachment(i) {
  S.attachments.splice(i, 1);
  panes.attachments(S, dropAttachment);
}

async function advanceClock(ev) {
  ev.preventDefault();
  try {
    const clock = await api.post('/_emulator/clock', { advance: $('clock-advance').value.trim() });
    setEmulatorNow(clock.now);
    panes.clock(clock);
    refreshTimes();
  } catch (e) {
    panes.problem(e.message);
  }
}

function signIn(message) {
  api.forgetCredentials();
  document.body.classList.add('signed-out');
  $('app').hidden = true;
  $('signin').hidden = false;
  $('signin-sid').value = $('signin-sid').value || api.DEFAULT_ACCOUNT_SID;
  $('signin-token').value = $('signin-token').value || api.DEFAULT_AUTH_TOKEN;
  const err = $('signin-error');
  err.textContent = message || '';
  err.hidden = !message;
}

function start() {
  document.body.classList.remove('signed-out');
  $('signin').hidden = true;
  $('app').hidden = false;
  refresh();
  if (!listening) {
    listening = true;
    api.listen(() => refresh(), panes.live, () => {
      listening = false;
      signIn('The emulator refused these credentials.');
    });
  }
}

// listening is true while the change feed is followed (one stream per page).
let listening = false;

function wire() {
  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    api.setCredentials($('signin-sid').value.trim(), $('signin-token').value.trim());
    start();
  });
  $('signout').addEventListener('click', () => signIn(''));
  $('reset').addEventListener('click', async () => {
    if (!confirm('Reset the emulator? Every conversation, phone and webhook log entry is dropped.')) return;
    try {
      await api.post('/_emulator/reset', {});
      S.selected = '';
      S.phone = '';
      S.firstLoad = true;
    } catch (e) {
      panes.problem(e.message);
    }
    refresh();
  });
  $('clock-form').addEventListener('submit', advanceClock);
  $('attach').addEventListener('change', () => attach().catch((e) => panes.composerError(e.message)));
  $('composer').addEventListener('submit', send);
  $('body').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      $('composer').requestSubmit();
    }
  });
  $('in-channel').addEventListener('change', () => panes.composer(S, true));
  $('as').addEventListener('change', () => {
    S.custom = $('as').value === 'custom';
    panes.composer(S);
  });
  $('new-inbound').addEventListener('click', () => {
    S.selected = '';
    S.custom = true;
    refresh().then(() => $('in-from').focus());
  });
  $('hooks-only').addEventListener('change', () => panes.webhooks(S, select));
  $('conv-filter').addEventListener('input', () => {
    S.filter = $('conv-filter').value.trim().toLowerCase();
    panes.conversationList(S, select);
  });
  for (const tab of document.querySelectorAll('.tab')) {
    tab.addEventListener('click', () => {
      S.tab = tab.dataset.tab;
      sessionStorage.setItem('conversations-emulator-tab', S.tab);
      panes.tabs(S);
    });
  }
  document.addEventListener('keydown', (ev) => {
    if (ev.key === '/' && !/INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName)) {
      ev.preventDefault();
      $('conv-filter').focus();
    }
  });
  setInterval(refreshTimes, 15000);
}

wire();
if (api.loadCredentials()) start();
else signIn('');
