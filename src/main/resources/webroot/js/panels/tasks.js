// The tasks card: every background task with its kind, state and since when. The list comes
// from a request at each (re)connect (a live list); each change then arrives as the task's new
// record.
import { card, h, show } from '../dom.js';
import { clockTime, elapsedSince, toMillis } from '../format.js';
import { liveList } from '../live-list.js';

export const TASKS_ADDRESS = 'oneloop.tasks';
export const TASKS_LIST_ADDRESS = 'oneloop.tasks.list';

export function createTasksPanel(bus) {
  const { root, body, note } = card({ id: 'tasks', title: 'Tasks' });
  const list = h('ul', { id: 'task-list', class: 'rows' });
  const empty = h('p', { class: 'empty', text: 'Loading tasks…' });
  const error = h('p', { class: 'panel-error', role: 'alert', hidden: true });
  body.append(list, empty, error);

  /** name -> { record, generation }, in the order the server lists them. */
  let tasks = new Map();

  function render() {
    const now = Date.now();
    list.replaceChildren(...[...tasks.values()].map(({ record }) => taskRow(record, now)));
    const running = [...tasks.values()].filter(({ record }) => record.state === 'running').length;
    note.textContent = tasks.size ? `${running} of ${tasks.size} running` : '';
    empty.textContent = 'No tasks configured.';
    show(empty, tasks.size === 0);
  }

  const live = liveList(bus, {
    what: 'tasks',
    error,
    load: async () => (await bus.request(TASKS_LIST_ADDRESS, {}))?.tasks ?? [],
    // The list is the truth for this connection; only events received since the request
    // (this generation) may be newer than it.
    replace(records, asked) {
      const previous = tasks;
      tasks = new Map();
      for (const record of records) {
        const seen = previous.get(record.name);
        tasks.set(record.name, { record, generation: asked });
        if (seen && seen.generation === asked) {
          merge(seen.record);
        }
      }
    },
    render,
    // Keep the "for 12 s" texts current.
    ticking: () => tasks.size > 0,
  });

  /** Takes a record unless one already shown is newer (events and the list can cross). */
  function merge(record) {
    const current = tasks.get(record.name);
    if (current && toMillis(current.record.since) > toMillis(record.since)) {
      return;
    }
    tasks.set(record.name, { record, generation: live.generation() });
  }

  bus.subscribe(TASKS_ADDRESS, (record) => {
    if (record && typeof record.name === 'string') {
      merge(record);
      render();
    }
  });

  return root;
}

function taskRow(record, now) {
  const state = String(record.state ?? 'unknown');
  const restarts = Number(record.restarts) || 0;
  return h('li', { class: 'row task', dataset: { name: String(record.name), state } },
    h('div', { class: 'row-head' },
      h('div', { class: 'task-main' },
        h('span', { class: 'row-title task-name', text: String(record.name) }),
        h('span', { class: 'row-meta task-kind' },
          String(record.kind ?? ''),
          restarts > 0 ? h('span', { class: 'task-restarts', text: ` · ${restarts} restart${restarts === 1 ? '' : 's'}` }) : null)),
      h('div', { class: 'task-status' },
        h('span', { class: `badge badge--${badgeTone(state)}`, text: state }),
        h('span', { class: 'task-since', title: `since ${record.since}` },
          `since ${clockTime(record.since)} · ${elapsedSince(record.since, now)}`))),
    record.lastError ? h('p', { class: 'task-error', title: String(record.lastError) },
      h('span', { class: 'task-error-label', text: 'Last error: ' }), String(record.lastError)) : null);
}

function badgeTone(state) {
  switch (state) {
    case 'running': return 'ok';
    case 'starting': return 'info';
    case 'restarting': return 'warn';
    case 'stopping':
    case 'stopped':
    case 'ended': return 'muted';
    case 'failed': return 'bad';
    default: return 'muted';
  }
}
