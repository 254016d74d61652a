// The page's code is a file of its own: oneloop's Content-Security-Policy forbids inline scripts.
import { Bus } from '/oneloop-bus.js';

const show = (id, text) => { document.getElementById(id).textContent = text; };
const bus = new Bus('/eventbus');
bus.onState((state) => show('state', state));
bus.subscribe('acme.status', (status) => {
  show('seq', status.seq);
  show('load', status.loadAverage < 0 ? 'n/a' : status.loadAverage.toFixed(2) + ` (${status.cpus} CPUs)`);
  show('heap', `${(status.heapUsedBytes / 1048576).toFixed(1)} MiB of ${(status.heapMaxBytes / 1048576).toFixed(0)} MiB`);
  show('time', status.time);
});
bus.connect();
