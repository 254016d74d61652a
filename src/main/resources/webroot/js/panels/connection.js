// The connection state in the top bar: a coloured dot and a word, plus a button to try again
// at once while the page is waiting between reconnect attempts or has given up.
import { State } from '../../oneloop-bus.js';
import { h, show } from '../dom.js';

const LABELS = {
  [State.CONNECTING]: 'Connecting…',
  [State.CONNECTED]: 'Connected',
  [State.RECONNECTING]: 'Reconnecting…',
  [State.CLOSED]: 'Closed',
};

const HINTS = {
  [State.CONNECTING]: 'Opening the live connection to the server.',
  [State.CONNECTED]: 'Live data is flowing from the server.',
  [State.RECONNECTING]: 'The server went away; trying again with growing pauses.',
  [State.CLOSED]: 'Stopped trying to reach the server.',
};

export function mountConnection(root, bus) {
  const label = h('span', { class: 'conn-label' });
  const retry = h('button', { type: 'button', class: 'conn-retry', text: 'Retry now', hidden: true,
    onclick: () => bus.connect() });
  root.setAttribute('role', 'status');
  root.replaceChildren(h('span', { class: 'conn-dot', 'aria-hidden': 'true' }), label, retry);

  bus.onState((state) => {
    root.dataset.state = state;
    // Lets the stylesheet mark the panels' figures as stale while not connected.
    document.documentElement.dataset.connection = state;
    // Closed by an administrator: said so, with the server's reason; the page does not try again by itself.
    const disconnected = state === State.CLOSED && bus.closeReason !== undefined;
    root.title = disconnected ? `Disconnected by the server: ${bus.closeReason}` : HINTS[state];
    label.textContent = disconnected ? 'Disconnected' : LABELS[state];
    show(retry, state === State.RECONNECTING || state === State.CLOSED);
  });
}
