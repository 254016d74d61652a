// Announcements on oneloop.server, e.g. {"event":"notice","text":"maintenance at 18:00"} from a
// broadcast job: each shows as an info banner until dismissed. The text is shown as text only.
import { h } from '../dom.js';
import { shortTime } from '../format.js';
import { SERVER_ADDRESS } from './shutdown-banner.js';

/** At most this many notices are shown; a new one pushes out the oldest. */
const MAX_SHOWN = 3;
const MAX_CHARS = 500;

export function mountNotices(root, bus) {
  bus.subscribe(SERVER_ADDRESS, (body) => {
    if (!body || body.event !== 'notice' || typeof body.text !== 'string' || body.text.trim() === '') {
      return;
    }
    const text = body.text.trim();
    // The same text again (say, a repeated broadcast) refreshes the one shown.
    for (const shown of root.querySelectorAll('.notice')) {
      if (shown.dataset.text === text) {
        shown.remove();
      }
    }
    root.append(notice(text));
    while (root.children.length > MAX_SHOWN) {
      root.firstElementChild.remove();
    }
  });
}

function notice(text) {
  const now = new Date().toISOString();
  const el = h('div', { class: 'banner banner--info notice', role: 'status', dataset: { text } },
    h('span', { class: 'banner-icon', 'aria-hidden': 'true', text: 'i' }),
    h('p', { class: 'banner-text' },
      h('strong', { text: 'Notice' }),
      h('time', { class: 'notice-time', datetime: now, text: ` · ${shortTime(now)} ` }),
      h('br'),
      h('span', { class: 'notice-text', text: text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}…` : text })),
    h('button', { type: 'button', class: 'banner-close', 'aria-label': 'Dismiss this notice', title: 'Dismiss', text: '×',
      onclick: () => el.remove() }));
  return el;
}
