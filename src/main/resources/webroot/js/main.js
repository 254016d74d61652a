// Wires the page: one event-bus connection, the top bar's state, the shutdown banner and the
// notices, and the dashboard's panels. A panel is a module whose create function takes the bus
// and returns its card; to add one, write panels/<name>.js and list it in PANELS (in the order
// of the one-column phone layout; css/layout.css places them on wide screens).
import { Bus } from '../oneloop-bus.js';
import { mountConnection } from './panels/connection.js';
import { mountShutdownBanner } from './panels/shutdown-banner.js';
import { createTickerPanel } from './panels/ticker.js';
import { createTasksPanel } from './panels/tasks.js';
import { createChatPanel } from './panels/chat.js';
import { createJobsPanel } from './panels/jobs.js';
import { createMetricsPanel } from './panels/metrics.js';
import { mountNotices } from './panels/notices.js';
import { mountBuildInfo } from './panels/build-info.js';

const PANELS = [createTickerPanel, createMetricsPanel, createJobsPanel, createTasksPanel, createChatPanel];

const bus = new Bus('/eventbus');
mountConnection(document.getElementById('connection'), bus);
mountShutdownBanner(document.getElementById('shutdown-banner'), bus);
mountNotices(document.getElementById('notices'), bus);
mountBuildInfo(document.getElementById('build-info'), bus);
const panels = document.getElementById('panels');
for (const create of PANELS) {
  panels.append(create(bus));
}
bus.connect().catch((e) => console.error('cannot connect to the event bus:', e));
