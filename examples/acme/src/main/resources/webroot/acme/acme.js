// The page's code is a file of its own: oneloop's Content-Security-Policy forbids inline scripts.
import { Bus } from '/oneloop-bus.js';

const MAX_NOTICES = 5;
const show = (id, text) => { document.getElementById(id).textContent = text; };
// With auth on, open /acme/#token=<a viewer token>: a fragment is never sent to the server.
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const bus = new Bus(token ? '/eventbus?token=' + encodeURIComponent(token) : '/eventbus');
bus.onState((state) => show('state', state));
// What a backend publishes with POST /api/publish, newest first, shown as text.
bus.subscribe('acme.notices', (notice) => {
  const item = document.createElement('li');
  item.textContent = typeof notice?.text === 'string' ? notice.text : JSON.stringify(notice);
  const list = document.getElementById('notices');
  list.prepend(item);
  while (list.children.length > MAX_NOTICES) {
    list.lastElementChild.remove();
  }
});
bus.subscribe('acme.status', (status) => {
  show('seq', status.seq);
  show('load', status.loadAverage < 0 ? 'n/a' : status.loadAverage.toFixed(2) + ` (${status.cpus} CPUs)`);
  show('heap', `${(status.heapUsedBytes / 1048576).toFixed(1)} MiB of ${(status.heapMaxBytes / 1048576).toFixed(0)} MiB`);
  show('time', status.time);
});
bus.connect();
