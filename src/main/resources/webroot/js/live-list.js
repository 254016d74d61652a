// A list a card keeps live, as the jobs and tasks cards do: loaded at each (re)connect, then
// kept current by the panel's own events, with its times ("for 12 s") redrawn every second.
import { show } from './dom.js';

/**
 * Loads the list at each (re)connect of the bus and hands it to replace(items, generation),
 * then render(); a failure shows "Could not load the <what>: <reason>" in the panel's error
 * element until a later load succeeds. Each (re)connect starts a new generation: a panel tags
 * what its events bring with generation(), so that replace() knows what arrived after the
 * request and may be newer than the list. A load overtaken by a newer one is dropped. Every
 * second, render() runs again while ticking() says there are times to update.
 */
export function liveList(bus, { what, error, load, replace, render, ticking }) {
  let generation = 0;

  bus.onOpen(async () => {
    const asked = ++generation;
    try {
      const items = await load();
      if (asked !== generation) {
        return; // a newer connection has asked again
      }
      replace(items, asked);
      show(error, false);
      render();
    } catch (e) {
      error.textContent = `Could not load the ${what}: ${e.message}`;
      show(error, true);
    }
  });

  setInterval(() => {
    if (ticking()) {
      render();
    }
  }, 1000);

  return { generation: () => generation };
}
