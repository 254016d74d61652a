// The banner shown when the server announces a graceful shutdown on oneloop.server; it goes
// away once the page is connected again (to the restarted server).
import { h, show } from '../dom.js';

export const SERVER_ADDRESS = 'oneloop.server';

export function mountShutdownBanner(root, bus) {
  root.replaceChildren(
    h('span', { class: 'banner-icon', 'aria-hidden': 'true', text: '!' }),
    h('p', { class: 'banner-text' },
      h('strong', { text: 'The server is shutting down.' }),
      ' Live data pauses now and resumes by itself when the server is back.'));
  show(root, false);

  bus.subscribe(SERVER_ADDRESS, (body) => {
    if (body && body.event === 'shutdown') {
      show(root, true);
    }
  });
  bus.onOpen(() => show(root, false));
}
