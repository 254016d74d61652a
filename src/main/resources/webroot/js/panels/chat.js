// The chat card: messages from every page, oldest first, and a form to send one. The server
// checks each message and answers the send; an accepted one comes back to every page
// (this one included) as a publish, so the page shows a message only once it is accepted.
import { card, h, show } from '../dom.js';
import { shortTime, toMillis } from '../format.js';

export const CHAT_ADDRESS = 'oneloop.chat';
export const CHAT_SEND_ADDRESS = 'oneloop.chat.send';
export const CHAT_HISTORY_ADDRESS = 'oneloop.chat.history';
export const PRESENCE_ADDRESS = 'oneloop.presence';
/** The page keeps this many messages; the server's history holds fewer. */
const MAX_SHOWN = 200;
const NAME_KEY = 'oneloop.chat.user';
const AVATAR_COLOURS = 8;

export function createChatPanel(bus) {
  const { root, body, note } = card({ id: 'chat', title: 'Chat', className: 'card--chat' });
  const log = h('ol', { id: 'chat-log', class: 'chat-log', 'aria-live': 'polite', 'aria-label': 'Messages' });
  const empty = h('p', { class: 'empty chat-empty', text: 'No messages yet. Say hello!' });
  const user = h('input', { id: 'chat-user', name: 'user', class: 'input', autocomplete: 'nickname',
    placeholder: 'Your name', value: savedName() });
  const text = h('input', { id: 'chat-text', name: 'text', class: 'input', autocomplete: 'off',
    placeholder: 'Write a message…', 'aria-describedby': 'chat-error' });
  const send = h('button', { id: 'chat-send', type: 'submit', class: 'button', text: 'Send' });
  const error = h('p', { id: 'chat-error', class: 'field-error', role: 'alert', hidden: true });
  const form = h('form', { id: 'chat-form', class: 'chat-form', novalidate: true },
    h('div', { class: 'field field--name' }, h('label', { for: 'chat-user', text: 'Name' }), user),
    h('div', { class: 'field field--text' }, h('label', { for: 'chat-text', text: 'Message' }),
      h('div', { class: 'send-row' }, text, send)),
    error);
  const online = h('p', { id: 'chat-online', class: 'chat-online', 'aria-live': 'polite', text: '' });
  const scroller = h('div', { class: 'chat-scroll' }, log, empty);
  body.append(online, scroller, form);

  /** connId -> presence entry: who has the chat open now, on every node. */
  const present = new Map();

  function showOnline() {
    const names = [...present.values()].map((entry) => entry.name ?? entry.user);
    const named = [...new Set(names.filter((name) => name))].sort((a, b) => a.localeCompare(b));
    const anonymous = names.filter((name) => !name).length;
    const parts = [...named, ...(anonymous > 0 ? [`${anonymous} without a name`] : [])];
    online.textContent = present.size === 0 ? '' : `Online (${present.size}): ${parts.join(', ')}`;
  }

  async function loadPresence() {
    try {
      const reply = await bus.request(PRESENCE_ADDRESS, { address: CHAT_ADDRESS });
      present.clear();
      (reply?.entries ?? []).forEach((entry) => present.set(entry.connId, entry));
    } catch (e) {
      // An older server, or one that keeps no presence for the chat: nothing to show.
      present.clear();
    }
    showOnline();
  }

  /** key -> { message, element }: a message is shown once, however often it is received. */
  const shown = new Map();

  function add(message) {
    if (!message || message.id == null) {
      return;
    }
    // Ids restart with each server process, so the time is part of what identifies a message.
    const key = `${message.id}@${message.time}`;
    if (shown.has(key)) {
      return;
    }
    const stickToBottom = atBottom(scroller);
    const element = messageItem(message, user.value.trim());
    element.dataset.key = key;
    element.dataset.sortKey = sortKey(message);
    // History and live messages can arrive in either order: insert by time, then id.
    const after = [...log.children].find((li) => compareKeys(li.dataset.sortKey, element.dataset.sortKey) > 0);
    log.insertBefore(element, after ?? null);
    shown.set(key, element);
    while (log.children.length > MAX_SHOWN) {
      const oldest = log.firstElementChild;
      shown.delete(oldest.dataset.key);
      oldest.remove();
    }
    show(empty, false);
    note.textContent = `${log.children.length} message${log.children.length === 1 ? '' : 's'}`;
    if (stickToBottom) {
      scroller.scrollTop = scroller.scrollHeight;
    }
  }

  function showError(message) {
    error.textContent = message;
    show(error, message !== '');
    text.setAttribute('aria-invalid', String(message !== ''));
  }

  async function loadHistory() {
    try {
      const reply = await bus.request(CHAT_HISTORY_ADDRESS, {});
      (reply?.messages ?? []).forEach(add);
    } catch (e) {
      console.warn('chat history:', e.message);
    }
  }

  // After a reconnect the bus resumes from the last message it got, so the history is asked only
  // when there is nothing to resume from, or when the server says it could not replay everything.
  bus.subscribe(CHAT_ADDRESS, add, {
    onGap: loadHistory,
    onJoin: (entry) => {
      present.set(entry.connId, entry);
      showOnline();
    },
    onLeave: (entry) => {
      present.delete(entry.connId);
      showOnline();
    },
  });
  bus.onOpen(() => {
    if (bus.lastSeq(CHAT_ADDRESS) === undefined) {
      loadHistory();
    }
    loadPresence();
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const message = { user: user.value, text: text.value };
    if (message.text.trim() === '') {
      text.focus();
      return;
    }
    const renamed = chatName() !== message.user.trim();
    localStorage.setItem(NAME_KEY, message.user.trim());
    if (renamed) {
      // Registered again under the new name, so the others see it.
      bus.reregister(CHAT_ADDRESS);
    }
    send.disabled = true;
    try {
      await bus.request(CHAT_SEND_ADDRESS, message);
      text.value = '';
      showError('');
    } catch (e) {
      // The server's own words for a rejected message (e.g. too long); else the connection's.
      showError(e.code ? e.message : `Not sent: ${e.message}.`);
    } finally {
      send.disabled = false;
      text.focus();
    }
  });
  text.addEventListener('input', () => {
    if (!error.hidden) {
      showError('');
    }
  });

  return root;
}

function messageItem(message, me) {
  const name = String(message.user ?? '');
  const own = me !== '' && name === me;
  return h('li', { class: own ? 'msg msg--own' : 'msg', dataset: { id: String(message.id) } },
    h('span', { class: `avatar avatar--${colourOf(name)}`, 'aria-hidden': 'true', text: initial(name) }),
    h('div', { class: 'msg-body' },
      h('div', { class: 'msg-head' },
        h('span', { class: 'msg-user', text: name }),
        h('time', { class: 'msg-time', datetime: String(message.time ?? ''), text: shortTime(message.time) })),
      h('p', { class: 'msg-text', text: String(message.text ?? '') })));
}

function savedName() {
  try {
    const saved = localStorage.getItem(NAME_KEY);
    if (saved) {
      return saved;
    }
  } catch {
    // Storage can be disabled; a generated name will do.
  }
  const guest = `Guest ${Math.floor(1000 + Math.random() * 9000)}`;
  try {
    // Kept, so the presence others see names this page from its first connection.
    localStorage.setItem(NAME_KEY, guest);
  } catch {
    // Storage can be disabled: the guest name then lasts as long as the page.
  }
  return guest;
}

function sortKey(message) {
  const ms = toMillis(message.time);
  return `${String(Number.isNaN(ms) ? 0 : ms).padStart(15, '0')}:${String(message.id).padStart(12, '0')}`;
}

function compareKeys(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

function atBottom(el) {
  return el.scrollHeight - el.scrollTop - el.clientHeight < 40;
}

function initial(name) {
  const first = [...name.trim()][0];
  return first ? first.toUpperCase() : '?';
}

function colourOf(name) {
  let hash = 0;
  for (const ch of name) {
    hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  }
  return hash % AVATAR_COLOURS;
}

/** The name this page chats under, as last used (the presence shows it to others). */
export function chatName() {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}
