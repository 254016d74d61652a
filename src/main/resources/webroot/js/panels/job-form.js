// The jobs card's form: a job type, that type's fields and Start. sleep and broadcast have
// fields of their own; the types of the server's config (jobs.types) take their params as JSON.
// The server's refusal shows under the form as it is, with the field it names marked.
import { h, show } from '../dom.js';

/** What the form asks for, by kind of type: the built-ins have forms of their own. */
const HINTS = {
  sleep: 'Waits the given time, reporting its progress. For trying things out.',
  broadcast: 'Publishes a JSON body on an address pages receive: a notice on oneloop.server shows as a banner.',
  params: 'A job type from the server\'s config (jobs.types): give its params as JSON.',
};

/** The kind of form a job type gets: sleep, broadcast, or params (any other type, params as JSON). */
function kindOf(type) {
  return type === 'sleep' || type === 'broadcast' ? type : 'params';
}

/**
 * The form, as { root, setTypes, typesProblem, onStart }: the types of the server's config join
 * the selector through setTypes(); Start hands the request to the onStart handler, which answers
 * the started job or throws with the server's words.
 */
export function jobForm() {
  const type = h('select', { id: 'job-type', name: 'type', class: 'input' },
    h('option', { value: 'sleep', text: 'sleep' }),
    h('option', { value: 'broadcast', text: 'broadcast' }));
  /** The config's types; in the selector only while there are some. */
  const configured = h('optgroup', { label: 'From the config' });
  const ms = h('input', { id: 'job-ms', name: 'ms', class: 'input', type: 'number', inputmode: 'numeric',
    min: '0', step: '1', value: '5000' });
  const address = h('input', { id: 'job-address', name: 'address', class: 'input', value: 'oneloop.server',
    list: 'job-addresses', autocomplete: 'off', spellcheck: 'false' });
  const addresses = h('datalist', { id: 'job-addresses' }, h('option', { value: 'oneloop.server' }));
  const delay = h('input', { id: 'job-delay', name: 'delayMs', class: 'input', type: 'number', inputmode: 'numeric',
    min: '0', step: '1', value: '0' });
  const json = h('textarea', { id: 'job-json', name: 'json', class: 'input input--code', rows: '3', spellcheck: 'false' });
  const jsonLabel = h('label', { for: 'job-json' });
  const start = h('button', { id: 'job-start', type: 'submit', class: 'button', text: 'Start job' });
  const hint = h('p', { id: 'job-hint', class: 'form-hint' });
  const error = h('p', { id: 'job-error', class: 'field-error', role: 'alert', hidden: true });
  const typesError = h('p', { id: 'job-types-error', class: 'field-error', role: 'alert', hidden: true });
  const started = h('p', { id: 'job-started', class: 'form-status', role: 'status', hidden: true });

  const field = (forType, label, input, extra = '') =>
    h('div', { class: `field job-field ${extra}`.trim(), dataset: { for: forType } }, h('label', { for: input.id, text: label }), input);
  const fields = [
    h('div', { class: 'field job-field job-field--type' }, h('label', { for: 'job-type', text: 'Type' }), type),
    field('sleep', 'Duration (ms)', ms),
    field('broadcast', 'Address', address, 'job-field--wide'),
    field('broadcast', 'Delay (ms)', delay),
    h('div', { class: 'field job-field job-field--json', dataset: { for: 'broadcast params' } }, jsonLabel, json),
  ];
  const root = h('form', { id: 'job-form', class: 'job-form', novalidate: true, 'aria-describedby': 'job-hint' },
    hint, h('div', { class: 'job-fields' }, ...fields, h('div', { class: 'job-submit' }, start)),
    addresses, typesError, error, started);

  /** What the JSON box held for each type, so switching back and forth keeps the user's text. */
  const jsonByType = {
    broadcast: JSON.stringify({ event: 'notice', text: 'Maintenance at 18:00' }, null, 1).replace(/\n\s*/g, ' '),
  };
  let shownType = type.value;

  function showType() {
    if (kindOf(shownType) !== 'sleep') {
      jsonByType[shownType] = json.value;
    }
    shownType = type.value;
    const kind = kindOf(shownType);
    for (const f of fields) {
      const forKinds = f.dataset.for;
      show(f, !forKinds || forKinds.split(' ').includes(kind));
    }
    jsonLabel.textContent = kind === 'broadcast' ? 'Body (JSON)' : 'Params (JSON)';
    if (kind !== 'sleep') {
      json.value = jsonByType[shownType] ?? '{}';
    }
    hint.textContent = HINTS[kind];
    showError('');
  }

  /**
   * Offers the config's types of a GET /api/job-types answer ([{name, builtIn}, ...]) after the
   * built-ins, keeping the one chosen while it is still offered.
   */
  function setTypes(types) {
    const names = types.filter((t) => t && typeof t.name === 'string' && !t.builtIn && kindOf(t.name) === 'params')
      .map((t) => t.name);
    const chosen = type.value;
    configured.replaceChildren(...names.map((name) => h('option', { value: name, text: name })));
    if (names.length > 0) {
      type.append(configured);
    } else {
      configured.remove();
    }
    type.value = [...type.options].some((o) => o.value === chosen) ? chosen : 'sleep';
    if (type.value !== shownType) {
      showType();
    }
    typesProblem('');
  }

  function typesProblem(message) {
    typesError.textContent = message;
    show(typesError, message !== '');
  }

  function showError(message, invalid = null) {
    error.textContent = message;
    show(error, message !== '');
    for (const input of [type, ms, address, delay, json]) {
      input.setAttribute('aria-invalid', String(input === invalid));
    }
    if (message) {
      show(started, false);
    }
  }

  /** The request for the form's fields, or throws with the reason and the field at fault. */
  function request() {
    const number = (input) => (input.value.trim() === '' ? null : Number.isFinite(input.valueAsNumber) ? input.valueAsNumber : input.value);
    const parsed = (what) => {
      try {
        return JSON.parse(json.value);
      } catch (e) {
        throw Object.assign(new Error(`${what} not valid JSON: ${e.message}`), { field: json });
      }
    };
    switch (type.value) {
      case 'sleep':
        return { type: 'sleep', params: { ms: number(ms) } };
      case 'broadcast':
        return { type: 'broadcast', params: { address: address.value.trim(), body: parsed('The body is'), delayMs: number(delay) } };
      default:
        return { type: type.value, params: parsed('The params are') };
    }
  }

  let startHandler = async () => {};
  root.addEventListener('submit', async (event) => {
    event.preventDefault();
    let body;
    try {
      body = request();
    } catch (e) {
      showError(e.message, e.field);
      e.field?.focus();
      return;
    }
    start.disabled = true;
    try {
      const job = await startHandler(body);
      showError('');
      started.textContent = `Started ${job.type} job ${String(job.id).slice(0, 8)}.`;
      started.dataset.jobId = job.id;
      show(started, true);
    } catch (e) {
      // The server's own words (e.g. "params.ms must be an integer 0-86400000, got -5").
      showError(e.message, fieldFor(e.message));
    } finally {
      start.disabled = false;
    }
  });
  root.addEventListener('input', () => {
    if (!error.hidden) {
      showError('');
    }
  });
  type.addEventListener('change', showType);

  /** The input a server message is about, to mark it. */
  function fieldFor(message) {
    if (message.startsWith('unknown job type')) return type;
    if (kindOf(type.value) === 'params') return message.startsWith('params') ? json : null;
    if (message.startsWith('params.ms')) return ms;
    if (message.startsWith('params.address')) return address;
    if (message.startsWith('params.delayMs')) return delay;
    if (message.startsWith('params.body') || message.startsWith('params must')) return json;
    return null;
  }

  showType();
  return { root, setTypes, typesProblem, onStart: (handler) => { startHandler = handler; } };
}
