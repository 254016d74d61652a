// The jobs card: the form to start a job (job-form.js), and the most recent jobs with their
// state, a live progress bar, times, result or error, and a Cancel button while they are queued
// or running. The list comes from GET /api/jobs at each (re)connect; every change then arrives
// on oneloop.jobs as the job's whole record. The form offers the types of GET /api/job-types,
// also fetched at each (re)connect.
import { card, h, show } from '../dom.js';
import { clockTime, duration, toMillis } from '../format.js';
import { errorText, requestJson } from '../http.js';
import { liveList } from '../live-list.js';
import { jobForm } from './job-form.js';

export const JOBS_ADDRESS = 'oneloop.jobs';
const API = 'api/jobs';
const TYPES_API = 'api/job-types';
/** The card shows this many jobs, newest first. */
const LIMIT = 20;
const FINAL = new Set(['succeeded', 'failed', 'cancelled']);
/** Longer results are cut in the row (the whole one is in its title). */
const MAX_RESULT_CHARS = 160;

export function createJobsPanel(bus) {
  const { root, body, note } = card({ id: 'jobs', title: 'Jobs', className: 'card--jobs' });
  const form = jobForm();
  const list = h('ol', { id: 'job-list', class: 'rows', 'aria-label': 'Recent jobs' });
  const empty = h('p', { class: 'empty', text: 'Loading jobs…' });
  const loadError = h('p', { class: 'panel-error', role: 'alert', hidden: true });
  body.append(form.root, h('div', { class: 'job-scroll' }, list, empty), loadError);

  /** id -> { record, generation, row }: what the card shows, at most LIMIT. */
  let jobs = new Map();
  /** Ids of jobs this page asked to cancel that have not finished yet. */
  const cancelling = new Set();

  /** Takes a record unless the one shown is newer; returns whether anything changed. */
  function merge(record, into = jobs) {
    if (!record || typeof record.id !== 'string') {
      return false;
    }
    const current = into.get(record.id);
    if (current && !isNewer(record, current.record)) {
      return false;
    }
    into.set(record.id, { record, generation: live.generation(), row: current?.row });
    return true;
  }

  function render() {
    const sorted = [...jobs.values()].sort((a, b) => compareNewestFirst(a.record, b.record));
    for (const dropped of sorted.slice(LIMIT)) {
      jobs.delete(dropped.record.id);
      cancelling.delete(dropped.record.id);
    }
    const now = Date.now();
    const rows = sorted.slice(0, LIMIT).map((entry) => {
      entry.row ??= jobRow(entry.record.id, cancel);
      entry.row.update(entry.record, cancelling.has(entry.record.id), now);
      return entry.row.el;
    });
    // Moves only what moved, so a button under the pointer stays the same element.
    rows.forEach((el, i) => {
      if (list.children[i] !== el) {
        list.insertBefore(el, list.children[i] ?? null);
      }
    });
    while (list.children.length > rows.length) {
      list.lastElementChild.remove();
    }
    const count = (state) => sorted.filter(({ record }) => record.state === state).length;
    const running = count('running');
    const queued = count('queued');
    note.textContent = running || queued
      ? [running ? `${running} running` : '', queued ? `${queued} queued` : ''].filter(Boolean).join(' · ')
      : jobs.size ? `${jobs.size} recent` : '';
    empty.textContent = 'No jobs yet: start one above.';
    show(empty, jobs.size === 0);
  }

  async function cancel(id) {
    cancelling.add(id);
    render();
    let problem = '';
    try {
      const response = await requestJson('DELETE', `${API}/${encodeURIComponent(id)}`);
      if (response.ok) {
        merge(response.body);
      } else if (response.status === 409 && response.body?.job) {
        merge(response.body.job); // it finished first: show how
      } else {
        problem = `Not cancelled: ${errorText(response)}`;
      }
    } catch (e) {
      problem = `Not cancelled: ${e.message}`;
    }
    const entry = jobs.get(id);
    if (problem || !entry || FINAL.has(entry.record.state)) {
      cancelling.delete(id);
    }
    entry?.row?.problem(problem);
    render();
  }

  form.onStart(async (request) => {
    const response = await requestJson('POST', API, request);
    if (response.status === 202) {
      merge(response.body);
      render();
      return response.body;
    }
    throw new Error(errorText(response));
  });

  bus.subscribe(JOBS_ADDRESS, (record) => {
    if (merge(record)) {
      if (FINAL.has(record.state)) {
        cancelling.delete(record.id);
      }
      render();
    }
  });

  bus.onOpen(async () => {
    try {
      const response = await requestJson('GET', TYPES_API);
      if (!response.ok || !Array.isArray(response.body)) {
        throw new Error(errorText(response));
      }
      form.setTypes(response.body);
    } catch (e) {
      form.typesProblem(`Could not load the job types: ${e.message}`);
    }
  });

  const live = liveList(bus, {
    what: 'jobs',
    error: loadError,
    async load() {
      const response = await requestJson('GET', `${API}?limit=${LIMIT}`);
      if (!response.ok || !Array.isArray(response.body)) {
        throw new Error(errorText(response));
      }
      return response.body;
    },
    // The list is the truth for this connection (jobs of an earlier server process go); only
    // what arrived since the request (this generation) may be newer than it.
    replace(records, asked) {
      const fresh = new Map();
      for (const record of records) {
        merge(record, fresh);
      }
      for (const entry of jobs.values()) {
        if (entry.generation === asked) {
          merge(entry.record, fresh);
        }
        const kept = fresh.get(entry.record.id);
        if (kept) {
          kept.row = entry.row;
        }
      }
      jobs = fresh;
      for (const id of [...cancelling]) {
        if (!jobs.has(id)) cancelling.delete(id);
      }
    },
    render,
    // Keep "running 12 s" current.
    ticking: () => [...jobs.values()].some(({ record }) => !FINAL.has(record.state)),
  });

  return root;
}

/** Whether record a is a later state of the same job than record b. */
function isNewer(a, b) {
  const rank = (r) => (r.state === 'queued' ? 0 : FINAL.has(r.state) ? 2 : 1);
  if (rank(a) !== rank(b)) {
    return rank(a) > rank(b);
  }
  if (rank(a) === 2) {
    return false; // a finished job does not change again
  }
  // Progress only grows while a job runs; records can arrive out of order (the event, the
  // answer to the request, the list).
  return (Number(a.progress) || 0) >= (Number(b.progress) || 0);
}

function compareNewestFirst(a, b) {
  const diff = (toMillis(b.createdAt) || 0) - (toMillis(a.createdAt) || 0);
  return diff !== 0 ? diff : String(b.id).localeCompare(String(a.id));
}

/** One job's row, updated in place as its records arrive. */
function jobRow(id, onCancel) {
  const type = h('span', { class: 'row-title job-type' });
  const shortId = h('span', { class: 'row-meta job-id', title: id, text: id.slice(0, 8) });
  const badge = h('span', { class: 'badge' });
  const cancel = h('button', { type: 'button', class: 'button button--small button--quiet job-cancel', text: 'Cancel',
    onclick: () => onCancel(id) });
  const bar = h('progress', { class: 'job-progress', max: '1', value: '0' });
  const percent = h('span', { class: 'job-percent' });
  const times = h('p', { class: 'job-times' });
  const outcome = h('p', { class: 'job-outcome', hidden: true });
  const problemText = h('p', { class: 'job-problem', role: 'alert', hidden: true });
  const el = h('li', { class: 'row job', dataset: { id } },
    h('div', { class: 'row-head job-head' },
      h('div', { class: 'job-name' }, type, shortId),
      h('div', { class: 'job-actions' }, badge, cancel)),
    h('div', { class: 'job-bar' }, bar, percent),
    times, outcome, problemText);

  function update(record, isCancelling, now) {
    const state = String(record.state ?? 'unknown');
    const progress = Math.min(1, Math.max(0, Number(record.progress) || 0));
    el.dataset.state = state;
    type.textContent = String(record.type ?? '');
    badge.className = `badge badge--${badgeTone(state)}`;
    badge.textContent = state;
    const open = !FINAL.has(state);
    show(cancel, open);
    cancel.disabled = isCancelling;
    cancel.textContent = isCancelling ? 'Cancelling…' : 'Cancel';
    cancel.setAttribute('aria-label', `Cancel job ${id.slice(0, 8)}`);
    bar.value = progress;
    bar.setAttribute('aria-label', `Progress of job ${id.slice(0, 8)}`);
    percent.textContent = `${Math.floor(progress * 100)} %`;
    times.textContent = timesText(record, state, now);
    if (state === 'failed' || (state === 'cancelled' && record.error)) {
      outcome.className = 'job-outcome job-outcome--error';
      setText(outcome, String(record.error ?? 'failed'));
    } else if (state === 'succeeded' && record.result != null) {
      outcome.className = 'job-outcome job-outcome--result';
      setText(outcome, typeof record.result === 'string' ? record.result : JSON.stringify(record.result));
    } else {
      setText(outcome, '');
    }
    if (!open) {
      problem('');
    }
  }

  function setText(p, text) {
    p.textContent = text.length > MAX_RESULT_CHARS ? `${text.slice(0, MAX_RESULT_CHARS)}…` : text;
    p.title = text.length > MAX_RESULT_CHARS ? text : '';
    show(p, text !== '');
  }

  function problem(text) {
    problemText.textContent = text;
    show(problemText, text !== '');
  }

  return { el, update, problem };
}

function timesText(record, state, now) {
  const created = toMillis(record.createdAt);
  const started = toMillis(record.startedAt);
  const ended = toMillis(record.endedAt);
  if (state === 'queued') {
    return `queued ${clockTime(record.createdAt)} · waiting ${duration(now - created)}`;
  }
  if (Number.isNaN(started)) {
    return `queued ${clockTime(record.createdAt)} · ${state} before it started`;
  }
  if (Number.isNaN(ended)) {
    return `started ${clockTime(record.startedAt)} · running ${duration(now - started)}`;
  }
  return `started ${clockTime(record.startedAt)} · ${state} after ${duration(ended - started)}`;
}

function badgeTone(state) {
  switch (state) {
    case 'queued': return 'muted';
    case 'running': return 'info';
    case 'succeeded': return 'ok';
    case 'failed': return 'bad';
    case 'cancelled': return 'warn';
    default: return 'muted';
  }
}
