// The tasks card: every background task with its kind, state and since when. The list comes
// from a request at each (re)connect (a live list); each change then arrives as the task's new
// record. In a cluster the records of every node arrive, each naming its node: the card groups
// them by node, this page's node first.
import { card, h, show } from '../dom.js';
import { clockTime, elapsedSince, toMillis } from '../format.js';
import { liveList } from '../live-list.js';
import { requestJson } from '../http.js';
import { shortId } from './nodes.js';

export const TASKS_ADDRESS = 'oneloop.tasks';
export const TASKS_LIST_ADDRESS = 'oneloop.tasks.list';

export function createTasksPanel(bus) {
  const { root, body, note } = card({ id: 'tasks', title: 'Tasks' });
  const list = h('ul', { id: 'task-list', class: 'rows' });
  const empty = h('p', { class: 'empty', text: 'Loading tasks…' });
  const error = h('p', { class: 'panel-error', role: 'alert', hidden: true });
  body.append(list, empty, error);

  /** node/name -> { record, generation }, this node's in the order the server lists them. */
  let tasks = new Map();
  /** The node this page is connected to, as its task list names it. */
  let localNode = null;

  function render() {
    const now = Date.now();
    const byNode = new Map();
    for (const { record } of tasks.values()) {
      const node = String(record.node ?? '');
      if (!byNode.has(node)) {
        byNode.set(node, []);
      }
      byNode.get(node).push(record);
    }
    const nodes = [...byNode.keys()].sort((a, b) => (b === localNode) - (a === localNode));
    const rows = [];
    for (const node of nodes) {
      if (byNode.size > 1) {
        rows.push(h('li', { class: 'task-node', dataset: { node }, text: `Node ${shortId(node)}${node === localNode ? ' (this page)' : ''}` }));
      }
      rows.push(...byNode.get(node).map((record) => taskRow(record, now)));
    }
    list.replaceChildren(...rows);
    const records = [...tasks.values()].map(({ record }) => record);
    const running = records.filter((record) => record.state === 'running').length;
    const standby = records.filter((record) => record.state === 'standby').length;
    note.textContent = tasks.size ? `${running} of ${tasks.size} running${standby ? `, ${standby} standing by` : ''}` : '';
    empty.textContent = 'No tasks configured.';
    show(empty, tasks.size === 0);
  }

  const live = liveList(bus, {
    what: 'tasks',
    error,
    load: async () => {
      const local = (await bus.request(TASKS_LIST_ADDRESS, {}))?.tasks ?? [];
      return { local, others: await otherNodesTasks() };
    },
    // The lists are the truth for this connection; only events received since the request
    // (this generation) may be newer than them.
    replace({ local, others }, asked) {
      const previous = tasks;
      tasks = new Map();
      localNode = local.length ? String(local[0].node ?? '') : localNode;
      for (const record of [...local, ...others]) {
        const seen = previous.get(keyOf(record));
        tasks.set(keyOf(record), { record, generation: asked });
        if (seen && seen.generation === asked) {
          merge(seen.record);
        }
      }
    },
    render,
    // Keep the "for 12 s" texts current.
    ticking: () => tasks.size > 0,
  });

  /** In a cluster, the other nodes' task records, as GET /api/cluster has them; none when it cannot say. */
  async function otherNodesTasks() {
    try {
      const answer = await requestJson('GET', 'api/cluster');
      if (!answer.ok) {
        return [];
      }
      return (answer.body?.nodes ?? [])
        .filter((node) => node.id !== answer.body.self && Array.isArray(node.tasks))
        .flatMap((node) => node.tasks);
    } catch {
      return [];
    }
  }

  /** Takes a record unless one already shown is newer (events and the list can cross). */
  function merge(record) {
    const current = tasks.get(keyOf(record));
    if (current && toMillis(current.record.since) > toMillis(record.since)) {
      return;
    }
    tasks.set(keyOf(record), { record, generation: live.generation() });
  }

  bus.subscribe(TASKS_ADDRESS, (record) => {
    if (record && typeof record.name === 'string') {
      merge(record);
      render();
    }
  });

  return root;
}

function keyOf(record) {
  return `${record.node ?? ''}/${record.name}`;
}

function taskRow(record, now) {
  const state = String(record.state ?? 'unknown');
  const restarts = Number(record.restarts) || 0;
  return h('li', { class: 'row task', dataset: { name: String(record.name), state, node: String(record.node ?? '') } },
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
    case 'starting':
    case 'standby': return 'info';
    case 'restarting': return 'warn';
    case 'stopping':
    case 'stopped':
    case 'ended': return 'muted';
    case 'failed': return 'bad';
    default: return 'muted';
  }
}
