// The metrics card: the server's vital signs from oneloop.metrics (one sample a second by
// default) as figures, and heap used and CPU load over the last five minutes as a live chart.
// The chart is uPlot (vendor/uPlot.iife.min.js, the global uPlot), drawn on a canvas; it styles
// its own elements from script, which the page's policy allows.
import { card, h, show } from '../dom.js';
import { bytes, clockTime, duration, percent, toMillis } from '../format.js';

export const METRICS_ADDRESS = 'oneloop.metrics';
const WINDOW_S = 5 * 60;
/** A bound on the points kept, should samples come much faster than one a second. */
const MAX_POINTS = 3000;
const MIB = 1024 * 1024;

export function createMetricsPanel(bus) {
  const { root, body, note } = card({ id: 'metrics', title: 'Metrics', note: 'last 5 min', className: 'card--metrics' });
  const figure = (key, label, swatch) => {
    const value = h('dd', { id: `metric-${key}`, class: 'metric-value', text: '–' });
    const detail = h('span', { class: 'metric-detail' });
    const item = h('div', { class: `metric metric--${key}` },
      h('dt', {}, swatch ? h('span', { class: `swatch swatch--${key}`, 'aria-hidden': 'true' }) : null, label),
      value, h('dd', { class: 'metric-sub' }, detail));
    return { item, value, detail };
  };
  const figures = {
    heap: figure('heap', 'Heap used', true),
    cpu: figure('cpu', 'CPU', true),
    threads: figure('threads', 'Threads'),
    sockets: figure('sockets', 'Bridge sockets'),
    delay: figure('delay', 'Loop delay'),
    uptime: figure('uptime', 'Uptime'),
  };
  const chartBox = h('div', { id: 'metrics-chart', class: 'metrics-chart', role: 'img',
    'aria-label': 'Heap used and CPU load over the last five minutes', dataset: { samples: '0' } });
  const waiting = h('p', { class: 'empty metrics-waiting', text: `Waiting for samples on ${METRICS_ADDRESS}…` });
  body.append(h('dl', { class: 'metrics' }, ...Object.values(figures).map((f) => f.item)),
    h('div', { class: 'metrics-plot' }, chartBox, waiting));

  // Columns of the chart: x in seconds since the epoch (what uPlot's time scale takes), heap in
  // MiB, CPU in %. A null value is a gap (while disconnected); samples[i] is the point's record.
  const xs = [];
  const heap = [];
  const cpu = [];
  const samples = [];
  let latest = null;
  let gapPending = false;
  let plot = null;

  function showSample(sample, hovered) {
    figures.heap.value.textContent = bytes(sample.heapUsedBytes);
    figures.heap.detail.textContent = sample.heapMaxBytes > 0 ? `of ${bytes(sample.heapMaxBytes)}` : '';
    figures.cpu.value.textContent = percent(sample.processCpuLoad);
    figures.cpu.detail.textContent = 'process';
    figures.threads.value.textContent = String(sample.threads ?? '–');
    figures.sockets.value.textContent = sample.bridgeSockets >= 0 ? String(sample.bridgeSockets) : '–';
    figures.delay.value.textContent = Number.isFinite(sample.eventLoopDelayMs) ? `${formatMs(sample.eventLoopDelayMs)}` : '–';
    figures.delay.detail.textContent = 'longest wait';
    figures.uptime.value.textContent = duration(sample.uptimeMs);
    note.textContent = hovered ? `at ${clockTime(sample.time)}` : 'last 5 min';
    root.classList.toggle('is-hovered', hovered);
  }

  function add(sample) {
    const t = toMillis(sample?.time) / 1000;
    if (!Number.isFinite(t)) {
      return;
    }
    const last = xs.length ? xs[xs.length - 1] : null;
    if (last != null && t <= last) {
      return; // a sample of an earlier moment (e.g. a restarted server's clock): keep the time axis ordered
    }
    if (gapPending && last != null) {
      push((last + t) / 2, null, null, null);
    }
    gapPending = false;
    push(t, finite(sample.heapUsedBytes) / MIB, finite(sample.processCpuLoad) * 100, sample);
    let drop = 0;
    while (drop < xs.length && (xs[drop] < t - WINDOW_S || xs.length - drop > MAX_POINTS)) {
      drop++;
    }
    for (const column of [xs, heap, cpu, samples]) {
      column.splice(0, drop);
    }
    latest = sample;
    chartBox.dataset.samples = String(samples.filter(Boolean).length);
    show(waiting, false);
    if (!plot || plot.cursor.idx == null) {
      showSample(sample, false);
    }
    draw();
  }

  function push(x, heapMib, cpuPercent, sample) {
    xs.push(x);
    heap.push(heapMib);
    cpu.push(cpuPercent);
    samples.push(sample);
  }

  function draw() {
    if (!xs.length || !chartBox.isConnected || chartBox.clientWidth === 0) {
      return;
    }
    if (!plot) {
      plot = new globalThis.uPlot(chartOptions(chartBox.clientWidth, onCursor), [xs, heap, cpu], chartBox);
    } else {
      plot.setData([xs, heap, cpu]);
    }
  }

  function onCursor(u) {
    const sample = u.cursor.idx == null ? null : samples[u.cursor.idx];
    if (sample) {
      showSample(sample, true);
    } else if (latest) {
      showSample(latest, false);
    }
  }

  function rebuild() {
    plot?.destroy();
    plot = null;
    draw();
  }

  // The chart is as wide as its card, whatever the screen does.
  let width = 0;
  new ResizeObserver(() => {
    const w = chartBox.clientWidth;
    if (w === width) {
      return;
    }
    width = w;
    if (plot && w > 0) {
      plot.setSize({ width: w, height: chartHeight() });
    } else {
      draw();
    }
  }).observe(chartBox);
  // Canvas colours come from the stylesheet's variables: draw again when the scheme changes.
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', rebuild);

  bus.subscribe(METRICS_ADDRESS, add);
  bus.onState((state) => {
    if (state !== 'connected') {
      gapPending = true;
    }
  });

  return root;
}

function finite(n) {
  return Number.isFinite(n) ? n : null;
}

function formatMs(ms) {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

function chartHeight() {
  return matchMedia('(max-width: 520px)').matches ? 170 : 210;
}

function chartOptions(width, onCursor) {
  const css = getComputedStyle(document.documentElement);
  const color = (name) => css.getPropertyValue(name).trim();
  const fontFamily = getComputedStyle(document.body).fontFamily || 'system-ui, sans-serif';
  const heapColor = color('--chart-heap');
  const cpuColor = color('--chart-cpu');
  const grid = { stroke: color('--chart-grid'), width: 1 };
  const ticks = { stroke: color('--chart-grid'), width: 1, size: 4 };
  const font = `12px ${fontFamily}`;
  const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return {
    width,
    height: chartHeight(),
    class: 'metrics-uplot',
    // The figures above the chart are its legend; they follow the cursor.
    legend: { show: false },
    cursor: {
      drag: { x: false, y: false },
      points: { size: 7 },
    },
    scales: {
      x: { time: true },
      heap: { range: (u, min, max) => [0, niceCeiling(Math.max(max ?? 0, 1) * 1.15)] },
      cpu: { range: (u, min, max) => [0, Math.min(100, Math.max(10, niceCeiling((max ?? 0) * 1.2)))] },
    },
    axes: [
      {
        stroke: color('--muted'), font, grid, ticks, space: 80, size: 32,
        // Whole seconds at least, so two ticks never read the same.
        incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600],
        values: (u, splits) => splits.map((s) => clock.format(s * 1000)),
      },
      {
        scale: 'heap', stroke: heapColor, font, grid, ticks, size: 62,
        values: (u, splits) => splits.map((v) => `${v} MiB`),
      },
      {
        scale: 'cpu', side: 1, stroke: cpuColor, font, ticks, size: 46, grid: { show: false },
        values: (u, splits) => splits.map((v) => `${v} %`),
      },
    ],
    series: [
      {},
      { label: 'Heap used', scale: 'heap', stroke: heapColor, fill: color('--chart-heap-fill'), width: 2, points: { show: false } },
      { label: 'CPU', scale: 'cpu', stroke: cpuColor, width: 1.5, points: { show: false } },
    ],
    hooks: { setCursor: [onCursor] },
  };
}

/** The next of 1, 2, 2.5, 5 and 10 times a power of ten at or above n. */
function niceCeiling(n) {
  if (!(n > 0)) {
    return 1;
  }
  const power = 10 ** Math.floor(Math.log10(n));
  const step = [1, 2, 2.5, 5, 10].find((f) => f * power >= n);
  return step * power;
}
