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
