"""Python peer of the oneloop benchmark: the Starlette + python-socketio + uvicorn recipe.

An ASGI app (socketio.ASGIApp wrapping a Starlette app), socketio.AsyncServer(async_mode="asgi"),
and a background task started at startup with sio.start_background_task that emits
{"seq": n, "t": <epoch micros>} as event "tick" to every connected client.

GET /health -> 200; GET /control?rate=R&count=C&first=F -> publish C messages numbered from F
at R/s, answers {"firstSeq": F, "count": C}.

Start: python3 -m uvicorn app:app --host 127.0.0.1 --port 8080 --log-level warning
"""
import asyncio
import math
import time

import socketio
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

sio = socketio.AsyncServer(async_mode="asgi")

state = {"next_seq": 0, "run": 0, "plan": None}
wakeup = asyncio.Event()


def now_micros():
    return time.time_ns() // 1000


async def publisher():
    # Same pacing as the other peers: message k of a run is due at start + k/rate; each
    # wake-up sends everything due; nothing is sent after start + count/rate.
    while True:
        await wakeup.wait()
        wakeup.clear()
        plan = state["plan"]
        if plan is None:
            continue
        run, rate, count = plan
        start = time.monotonic()
        end = start + math.ceil(count * 1000 / rate) / 1000
        sent = 0
        while state["run"] == run and sent < count:
            now = time.monotonic()
            # A tick up to 20 ms late still sends what was due before the end (as the JVM peers' Pacer).
            if now >= end + 0.02:
                break
            due = min(count, math.floor((now - start) * rate) + 1)
            while sent < due and state["run"] == run:
                seq = state["next_seq"]
                state["next_seq"] = seq + 1
                sent += 1
                await sio.emit("tick", {"seq": seq, "t": now_micros()})
            if sent >= count:
                break
            next_due = start + math.ceil(sent * 1000 / rate) / 1000
            delay = max(0.001, next_due - time.monotonic())
            try:
                await asyncio.wait_for(wakeup.wait(), timeout=delay)
                break  # a new run was requested
            except asyncio.TimeoutError:
                pass
        if state["run"] != run:
            wakeup.set()


async def startup():
    sio.start_background_task(publisher)


async def health(request):
    return PlainTextResponse("ok")


async def control(request):
    try:
        rate = float(request.query_params.get("rate", "0"))
        count = int(request.query_params.get("count", "0"))
        first = int(request.query_params.get("first", "-1"))
    except ValueError:
        return PlainTextResponse("bad number", status_code=400)
    if not rate > 0 or count < 0:
        count = 0
    state["run"] += 1
    if first >= 0:
        state["next_seq"] = first
    first = state["next_seq"]
    state["plan"] = (state["run"], rate, count) if count > 0 else None
    wakeup.set()
    return JSONResponse({"firstSeq": first, "count": count})


star = Starlette(routes=[Route("/health", health), Route("/control", control)],
                 on_startup=[startup])
app = socketio.ASGIApp(sio, other_asgi_app=star)
