'use strict';
// Socket.IO 4 peer: broadcasts {"seq":n,"t":<epoch micros>} as event "tick" to every client.
// GET /health -> 200; GET /control?rate=R&count=C&first=F -> publish C messages numbered from F
// at R/s (see bench/README.md).
// Start: PORT=8080 node server.js
const http = require('http');
const { Server } = require('socket.io');

const port = Number(process.env.PORT || 8080);
const host = process.env.HOST || '127.0.0.1';

function nowMicros() {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

// Same pacing as the other peers: message k of a run is due at start + k/rate; a tick sends
// everything due; nothing is sent after start + count/rate.
let nextSeq = 0;
let run = 0;
let timer = null;

function startRun(rate, count, first) {
  run++;
  if (timer) { clearTimeout(timer); timer = null; }
  if (!(rate > 0) || !(count > 0)) count = 0;
  if (first >= 0) nextSeq = first;
  first = nextSeq;
  if (count > 0) {
    const id = run;
    const start = performance.now();
    const end = start + Math.ceil(count * 1000 / rate);
    let sent = 0;
    const tick = () => {
      timer = null;
      if (id !== run) return;
      const now = performance.now();
      // A tick up to 20 ms late still sends what was due before the end (as the JVM peers' Pacer).
      if (now >= end + 20) return;
      const due = Math.min(count, Math.floor((now - start) * rate / 1000) + 1);
      while (sent < due) {
        io.emit('tick', { seq: nextSeq++, t: nowMicros() });
        sent++;
      }
      if (sent >= count) return;
      const nextDue = start + Math.ceil(sent * 1000 / rate);
      timer = setTimeout(tick, Math.max(1, Math.ceil(nextDue - performance.now())));
    };
    tick();
  }
  return { firstSeq: first, count };
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  } else if (url.pathname === '/control') {
    const rate = Number(url.searchParams.get('rate') || 0);
    const count = Number(url.searchParams.get('count') || 0);
    const first = Number(url.searchParams.get('first') || -1);
    if (!Number.isFinite(rate) || !Number.isInteger(count) || !Number.isInteger(first)) {
      res.writeHead(400);
      res.end('bad number');
      return;
    }
    const r = startRun(rate, count, first);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(r));
  } else if (!url.pathname.startsWith('/socket.io/')) {
    res.writeHead(404);
    res.end();
  }
});

const io = new Server(server);

server.listen(port, host);

function shutdown() {
  run++;
  if (timer) clearTimeout(timer);
  io.close(() => process.exit(0));
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
