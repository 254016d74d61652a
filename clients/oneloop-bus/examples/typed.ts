// A typed page on oneloop: built-in addresses and one of the app's own, added to the address map.
import { Bus, DISCONNECTED, type PresenceEntry } from 'oneloop-bus';

declare module 'oneloop-bus' {
  interface AddressBodies {
    'orders.created': { id: string; total: number };
    'orders.lookup': { id: string };
  }
  interface ReplyBodies {
    'orders.lookup': { id: string; total: number; state: 'open' | 'paid' };
  }
}

const bus = new Bus('/eventbus', { name: 'Alice' });
const online = new Map<string, PresenceEntry>();

bus.subscribe('oneloop.ticker', (tick) => console.log(tick.seq.toFixed(0), tick.time));
bus.subscribe('oneloop.chat', (message) => console.log(`${message.user}: ${message.text}`), {
  onJoin: (entry) => online.set(entry.connId, entry),
  onLeave: (entry) => online.delete(entry.connId),
});
bus.subscribe('oneloop.jobs', (job) => console.log(job.id, job.state === 'succeeded' ? job.result : job.progress));
bus.subscribe('oneloop.metrics', (sample) => console.log(sample.heapUsedBytes / sample.heapMaxBytes));
bus.subscribe('orders.created', (order) => console.log(order.id, order.total.toFixed(2)));
// An address not in the map is still allowed; its body is unknown.
bus.subscribe('anything.else', (body) => console.log(body));
bus.onState((state) => {
  if (state === 'closed' && bus.closeReason !== undefined) {
    console.log(`disconnected (${DISCONNECTED}): ${bus.closeReason}`);
  }
});

export async function whoIsHere(): Promise<string[]> {
  const list = await bus.request('oneloop.presence', { address: 'oneloop.chat' });
  return list.entries.map((entry) => entry.name ?? entry.user ?? 'someone');
}

export async function lookup(id: string): Promise<number> {
  const order = await bus.request('orders.lookup', { id });
  return order.state === 'paid' ? order.total : 0;
}

await bus.connect();
