#!/usr/bin/env python3
"""Bad-secret flood against a release `convo` binary (issue #14, sections 2 and 3).

Starts the given binary on a fresh database, then:
 1. latency: registers a few humans, starts a flood of `convo_<lookup of a real key><random
    secret>` from 64 threads, and measures each legitimate key's *first* use (and one
    registration) while the flood runs;
 2. memory: registers 1,400 actors, floods bad secrets over all their lookup parts, waits
    for the server to go idle and reads its RSS (VmRSS, and the peak VmHWM).

Usage: benches/auth_flood.py BINARY LABEL   (run it alternately for two binaries)
Standard library only; PostgreSQL on 127.0.0.1:5432 (trust auth), as for the tests.
"""

import http.client
import json
import random
import socket
import statistics
import string
import subprocess
import sys
import threading
import time
import uuid

PG = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qAtc"]
ALPHABET = string.ascii_letters + string.digits + "-_"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive connection."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method, path, key=None, body=None):
        headers = {"content-type": "application/json"}
        if key:
            headers["authorization"] = f"Bearer {key}"
        data = json.dumps(body) if body is not None else None
        try:
            self.conn.request(method, path, body=data, headers=headers)
            resp = self.conn.getresponse()
            payload = resp.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return 0, None
        return resp.status, payload


def register(client, n):
    status, body = client.request(
        "POST", "/api/actors", body={"display_name": f"U{n}", "email": f"u{n}@example.com"}
    )
    assert status == 200, (status, body)
    return json.loads(body)["api_key"]


def bad_secret(key):
    return key[:18] + "".join(random.choice(ALPHABET) for _ in range(43))


def flood(port, keys, stop, counts):
    client = Client(port)
    while not stop.is_set():
        status, _ = client.request("GET", "/api/actors/me", key=bad_secret(random.choice(keys)))
        counts[status] = counts.get(status, 0) + 1


def run_flood(port, keys, threads, stop):
    counts = [dict() for _ in range(threads)]
    workers = [
        threading.Thread(target=flood, args=(port, keys, stop, counts[i]), daemon=True)
        for i in range(threads)
    ]
    for w in workers:
        w.start()
    return workers, counts


def rss(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) // 1024
    return fields


def main():
    binary, label = sys.argv[1], sys.argv[2]
    db = f"convo_bench_auth_{uuid.uuid4().hex[:12]}"
    subprocess.run(PG + [f"CREATE DATABASE {db}"], check=True)
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"host=127.0.0.1 port=5432 user=postgres dbname={db}",
        "CONVO_BIND": f"127.0.0.1:{port}",
        "RUST_LOG": "warn",
        # The bench registers 1,400 actors from one address.
        "CONVO_REGISTRATIONS_PER_ADDRESS_PER_HOUR": "0",
    }
    server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL)
    try:
        client = Client(port)
        for _ in range(300):
            try:
                if client.request("GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        idle = rss(server.pid)["VmRSS"]

        # 1. First-use latency of legitimate keys during a flood on one lookup part.
        mallory = register(client, "mallory")
        legit = [register(client, f"legit{n}") for n in range(12)]
        stop = threading.Event()
        workers, counts = run_flood(port, [mallory], 64, stop)
        time.sleep(2)
        latencies = []
        for key in legit:
            started = time.perf_counter()
            status, _ = client.request("GET", "/api/actors/me", key=key)
            latencies.append((time.perf_counter() - started) * 1000)
            assert status == 200, status
        started = time.perf_counter()
        register(client, "during")
        registration_ms = (time.perf_counter() - started) * 1000
        flood_started = time.perf_counter() - 2
        stop.set()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - flood_started
        total = {}
        for c in counts:
            for k, v in c.items():
                total[k] = total.get(k, 0) + v
        sent = sum(total.values())
        print(
            f"{label}: first use during flood ms: median {statistics.median(latencies):.0f}"
            f" max {max(latencies):.0f}; registration {registration_ms:.0f} ms;"
            f" flood {sent / elapsed:.0f} req/s {dict(sorted(total.items()))}"
        )

        # 2. Memory after 1,400 registrations and a flood over all their lookup parts.
        keys = []
        lock = threading.Lock()

        def registrar(offset):
            c = Client(port)
            for n in range(offset, 1400, 16):
                key = register(c, f"bulk{n}")
                with lock:
                    keys.append(key)

        regs = [threading.Thread(target=registrar, args=(i,)) for i in range(16)]
        for r in regs:
            r.start()
        for r in regs:
            r.join()
        stop = threading.Event()
        workers, counts = run_flood(port, keys, 64, stop)
        time.sleep(20)
        stop.set()
        for w in workers:
            w.join()
        time.sleep(5)
        mem = rss(server.pid)
        print(
            f"{label}: RSS idle at start {idle} MiB; after 1,400 registrations and a"
            f" 20 s flood over their lookup parts: {mem['VmRSS']} MiB (peak {mem['VmHWM']} MiB)"
        )
    finally:
        server.terminate()
        server.wait()
        subprocess.run(PG + [f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"])


if __name__ == "__main__":
    main()
