// Small DOM helpers. Data from the server or from users only ever becomes text nodes or
// attribute values here: no innerHTML, and no style attributes (the CSP forbids inline styles).

const FORBIDDEN = new Set(['style', 'innerHTML', 'outerHTML']);

/**
 * Creates an element: h('p', { class: 'x', text: 'hi' }, child, 'more text').
 * Props: class, text, dataset, on<event> listeners, booleans as present/absent attributes,
 * anything else as an attribute. Strings among the children become text nodes.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (FORBIDDEN.has(key)) {
      throw new Error(`h(): "${key}" is not allowed`);
    }
    if (value == null || value === false) {
      continue;
    }
    if (key === 'class') {
      el.className = value;
    } else if (key === 'text') {
      el.textContent = value;
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  el.append(...children.flat().filter((child) => child != null && child !== false));
  return el;
}

/**
 * A dashboard card: a section with a heading, an optional note beside it, and a body.
 * Every panel builds one, so new panels (jobs, metrics, ...) look the same for free.
 */
export function card({ id, title, note, className = '' }) {
  const headingId = `${id}-title`;
  const noteEl = h('span', { class: 'card-note', text: note ?? '' });
  const body = h('div', { class: 'card-body' });
  const root = h('section', { id, class: `card ${className}`.trim(), 'aria-labelledby': headingId },
    h('header', { class: 'card-head' }, h('h2', { id: headingId, text: title }), noteEl),
    body);
  return { root, body, note: noteEl };
}

/** Shows or hides an element (the hidden attribute, styled in base.css). */
export function show(el, visible) {
  el.hidden = !visible;
}
