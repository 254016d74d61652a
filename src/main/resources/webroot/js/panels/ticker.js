// The ticker card: the last tick's seq and time, the rate of ticks this page receives, and how many
// it missed (ticks whose seq skipped; after a reconnect the server replays the missed ones, so
// this stays 0 unless the server could not, when it counts the ticks it no longer had).
import { card, h } from '../dom.js';
import { clockTime, oneDecimal } from '../format.js';

export const TICKER_ADDRESS = 'oneloop.ticker';
/** The rate counts the ticks received in this trailing window. */
const WINDOW_MS = 10_000;

export function createTickerPanel(bus) {
  const { root, body, note } = card({ id: 'ticker', title: 'Ticker', note: TICKER_ADDRESS });
  const seq = h('dd', { id: 'tick-seq', class: 'stat-value', text: '–' });
  const time = h('dd', { id: 'tick-time', class: 'stat-value stat-value--small', text: '–' });
  const rate = h('dd', { id: 'tick-rate', class: 'stat-value stat-value--small', text: '–' });
  const missedValue = h('dd', { id: 'tick-missed', class: 'stat-value stat-value--small', text: '0' });
  body.append(h('dl', { class: 'stats' },
    h('div', { class: 'stat stat--wide' }, h('dt', { text: 'Last seq' }), seq),
    h('div', { class: 'stat' }, h('dt', { text: 'Tick time' }), time),
    h('div', { class: 'stat' }, h('dt', { text: 'Rate' }), rate),
    h('div', { class: 'stat' }, h('dt', { text: 'Missed' }), missedValue)));
  note.title = 'The event-bus address of the ticks';

  let arrivals = [];
  let firstArrival = 0;
  let lastSeq = null;
  let missed = 0;

  function showRate(now) {
    arrivals = arrivals.filter((t) => now - t <= WINDOW_MS);
    let perSecond = null;
    if (firstArrival && now - firstArrival >= WINDOW_MS) {
      perSecond = arrivals.length / (WINDOW_MS / 1000);
    } else if (arrivals.length >= 2) {
      // Until a whole window has passed, measure over the ticks seen so far.
      perSecond = (arrivals.length - 1) / ((arrivals[arrivals.length - 1] - arrivals[0]) / 1000);
    }
    rate.textContent = perSecond == null ? '–' : `${oneDecimal(perSecond)} /s`;
  }

  bus.subscribe(TICKER_ADDRESS, (tick) => {
    const now = performance.now();
    const tickSeq = Number(tick?.seq);
    // A ticker that restarted counts from 1 again: that is no miss.
    if (lastSeq != null && Number.isFinite(tickSeq) && tickSeq > lastSeq + 1) {
      missed += tickSeq - lastSeq - 1;
      missedValue.textContent = String(missed);
    }
    lastSeq = Number.isFinite(tickSeq) ? tickSeq : lastSeq;
    firstArrival ||= now;
    arrivals.push(now);
    seq.textContent = String(tick?.seq ?? '–');
    time.textContent = clockTime(tick?.time);
    time.title = String(tick?.time ?? '');
    showRate(now);
  }, {
    // The server no longer had every tick: the next one shows how many were lost.
    onGap: () => {},
  });
  // Each connection starts a new measure: the pause while disconnected is no rate.
  bus.onState(() => {
    arrivals = [];
    firstArrival = 0;
    showRate(performance.now());
  });
  setInterval(() => showRate(performance.now()), 1000);

  return root;
}
