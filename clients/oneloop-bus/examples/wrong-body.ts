// Must NOT compile: a body of the wrong type for an address of the map (the build checks tsc refuses it).
import { Bus } from 'oneloop-bus';

const bus = new Bus();
// oneloop.chat.send wants { user: string; text: string }.
await bus.request('oneloop.chat.send', { user: 'me', text: 42 });
