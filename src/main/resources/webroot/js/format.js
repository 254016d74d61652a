// Formatting of times and numbers, in the reader's locale.

// A 24-hour clock everywhere: shorter, and the ticker's seconds line up.
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const shortTimeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** Milliseconds since the epoch for an ISO-8601 time, or NaN. */
export function toMillis(iso) {
  return typeof iso === 'string' ? Date.parse(iso) : NaN;
}

/** "14:03:27" for an ISO time; the raw value when it does not parse. */
export function clockTime(iso) {
  const ms = toMillis(iso);
  return Number.isNaN(ms) ? String(iso ?? '–') : timeFormat.format(ms);
}

/** "14:03" for an ISO time. */
export function shortTime(iso) {
  const ms = toMillis(iso);
  return Number.isNaN(ms) ? '' : shortTimeFormat.format(ms);
}

/** "4 s", "12 min", "3 h 5 min", "2 d 4 h": how long since an ISO time. */
export function elapsedSince(iso, now = Date.now()) {
  const ms = toMillis(iso);
  if (Number.isNaN(ms)) {
    return '–';
  }
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const hours = Math.floor(min / 60);
  if (hours < 24) return `${hours} h ${min % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** "4.9" with one decimal, in the reader's locale. */
export function oneDecimal(n) {
  return n.toLocaleString(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/** "850 ms", "4.2 s", "12 min 5 s", "3 h 5 min", "2 d 4 h": a length of time. */
export function duration(ms) {
  if (!Number.isFinite(ms) || ms < 0) {
    return '–';
  }
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${oneDecimal(Math.floor(ms / 100) / 10)} s`;
  const s = Math.floor(ms / 1000);
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ${s % 60} s`;
  const hours = Math.floor(min / 60);
  if (hours < 24) return `${hours} h ${min % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** "312 MiB", "1.9 GiB", "640 KiB": a number of bytes in binary units. */
export function bytes(n) {
  if (!Number.isFinite(n) || n < 0) {
    return '–';
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value < 10 && unit > 0 ? 1 : 0;
  return `${value.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${units[unit]}`;
}

/** "37 %" for 0.37; one decimal below 10 % ("4.2 %"). */
export function percent(fraction) {
  if (!Number.isFinite(fraction)) {
    return '–';
  }
  const p = fraction * 100;
  return p < 10 && p > 0
    ? `${oneDecimal(p)} %`
    : `${Math.round(p).toLocaleString()} %`;
}
