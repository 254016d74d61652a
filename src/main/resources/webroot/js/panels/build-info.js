// The footer's build line: the server's version and how long it has been up, from GET /api/info.
// Asked again on every (re)connect, so a restarted or upgraded server shows its new version.
import { State } from '../../oneloop-bus.js';
import { duration } from '../format.js';
import { requestJson } from '../http.js';

export function mountBuildInfo(root, bus) {
  let info = null;
  let fetchedAt = 0;

  const render = () => {
    if (!info) {
      root.textContent = '';
      return;
    }
    root.textContent = `version ${info.version} · up ${duration(info.uptimeMs + (Date.now() - fetchedAt))}`;
    root.title = `commit ${info.commit}, built ${info.buildTime}; Vert.x ${info.vertxVersion}, Java ${info.javaVersion}`;
  };

  const load = async () => {
    try {
      const response = await requestJson('GET', 'api/info');
      if (response.ok && response.body) {
        info = response.body;
        fetchedAt = Date.now();
      }
    } catch {
      // The server is away; the connection badge already says so, and the next connect asks again.
    }
    render();
  };

  bus.onState((state) => {
    if (state === State.CONNECTED) {
      load();
    }
  });
  setInterval(render, 1000);
}
