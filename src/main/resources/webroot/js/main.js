// Wires the page: one event-bus connection, the top bar's state, the shutdown banner and the
// notices, and the dashboard's panels. A panel is a module whose create function takes the bus
// and returns its card; to add one, write panels/<name>.js and list it in PANELS (in the order
// of the one-column phone layout; css/layout.css places them on wide screens).
import { Bus } from '../oneloop-bus.js';
import { mountConnection } from './panels/connection.js';
import { mountShutdownBanner } from './panels/shutdown-banner.js';
import { createTickerPanel } from './panels/ticker.js';
import { createTasksPanel } from './panels/tasks.js';
import { chatName, createChatPanel } from './panels/chat.js';
import { createJobsPanel } from './panels/jobs.js';
import { createMetricsPanel } from './panels/metrics.js';
import { createNodesPanel } from './panels/nodes.js';
import { mountNotices } from './panels/notices.js';
import { mountBuildInfo } from './panels/build-info.js';
import { requestJson } from './http.js';
import { onTokenProblem, withToken } from './auth.js';
import { h } from './dom.js';

const PANELS = [createTickerPanel, createMetricsPanel, createJobsPanel, createTasksPanel, createNodesPanel, createChatPanel];

// The token, if the tab holds one, rides in the bridge URL (read at each connect): SockJS keeps it on every transport.
// The chat's name is the name others see in its presence (with auth off; a token's name otherwise).
const bus = new Bus(() => withToken('/eventbus'), { name: () => chatName() });
mountConnection(document.getElementById('connection'), bus);
mountShutdownBanner(document.getElementById('shutdown-banner'), bus);
mountNotices(document.getElementById('notices'), bus);
mountBuildInfo(document.getElementById('build-info'), bus);
const panels = document.getElementById('panels');
for (const create of PANELS) {
  panels.append(create(bus));
}
onTokenProblem((message) => {
  document.getElementById('access-notice')?.remove();
  document.getElementById('notices').prepend(h('div', { class: 'banner banner--info', id: 'access-notice', role: 'alert' },
    h('span', { class: 'banner-icon', 'aria-hidden': 'true', text: '!' }),
    h('p', { class: 'banner-text', text: message })));
});
// One API call first: with auth on, its 401 is where the page learns it needs a token, and the
// bridge then connects with it.
requestJson('GET', 'api/tasks').catch(() => {}).finally(() => {
  bus.connect().catch((e) => console.error('cannot connect to the event bus:', e));
});
