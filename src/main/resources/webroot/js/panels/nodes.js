// The nodes card: the oneloop nodes of the cluster (GET /api/cluster), each with its addresses,
// when it started, the singleton tasks it runs and its bridge sockets; this page's node is
// marked. Not clustered, it shows the one node. Loaded at each (re)connect and every few seconds.
import { card, h, show } from '../dom.js';
import { clockTime, elapsedSince } from '../format.js';
import { requestJson } from '../http.js';

const REFRESH_MS = 5000;

export function createNodesPanel(bus) {
  const { root, body, note } = card({ id: 'nodes', title: 'Nodes' });
  const list = h('ul', { id: 'node-list', class: 'rows' });
  const error = h('p', { class: 'panel-error', role: 'alert', hidden: true });
  body.append(list, error);

  async function load() {
    try {
      const answer = await requestJson('GET', 'api/cluster');
      if (!answer.ok) {
        throw new Error(answer.body?.error ?? `HTTP ${answer.status}`);
      }
      render(answer.body?.nodes ?? [], answer.body?.self);
      show(error, false);
    } catch (e) {
      error.textContent = `Could not load the nodes: ${e.message}`;
      show(error, true);
    }
  }

  function render(nodes, self) {
    const now = Date.now();
    list.replaceChildren(...nodes.map((node) => nodeRow(node, node.id === self, now)));
    const clustered = nodes.some((node) => node.cluster);
    note.textContent = clustered ? `${nodes.length} in the cluster` : 'not clustered';
  }

  bus.onOpen(load);
  setInterval(load, REFRESH_MS);
  return root;
}

function nodeRow(node, here, now) {
  const singletons = Array.isArray(node.singletons) ? node.singletons.map(String) : [];
  return h('li', { class: 'row node', dataset: { node: String(node.id), here: String(here) } },
    h('div', { class: 'row-head' },
      h('div', { class: 'node-main' },
        h('span', { class: 'row-title node-id', title: String(node.id) },
          shortId(node.id), here ? h('span', { class: 'badge badge--info node-here', text: 'this page' }) : null),
        h('span', { class: 'row-meta node-addresses' },
          node.error ? String(node.error) : `http ${node.http}${node.cluster ? ` · cluster ${node.cluster}` : ''}`)),
      h('div', { class: 'node-status' },
        h('span', { class: 'node-sockets', text: `${Number(node.bridgeSockets) || 0} bridge socket${node.bridgeSockets === 1 ? '' : 's'}` }),
        node.startedAt ? h('span', { class: 'node-since', title: `started ${node.startedAt}` },
          `up since ${clockTime(node.startedAt)} · ${elapsedSince(node.startedAt, now)}`) : null)),
    singletons.length ? h('p', { class: 'node-singletons' },
      h('span', { class: 'node-singletons-label', text: 'Runs: ' }), singletons.join(', ')) : null);
}

/** A node id is a UUID: its first group tells nodes apart on a page. */
export function shortId(id) {
  const text = String(id ?? '');
  return text.length > 8 ? text.slice(0, 8) : text;
}
