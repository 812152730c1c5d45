#!/usr/bin/env python3
"""Instructions the server executes per cursor read and per append, counted by valgrind's
callgrind: unlike timings, the count is the same on a busy machine, so two builds compare
exactly. Only the server's own instructions count (not PostgreSQL's, nor the kernel's).

Usage: benches/callgrind.py [BINARY ...]   (default: target/release/convo)
Needs valgrind and a local PostgreSQL on 127.0.0.1:5432 (user postgres); creates and drops a
database per binary. Set CALLGRIND_KEEP=DIR to keep each measurement's callgrind output there
(for callgrind_annotate).
"""

import glob
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

REQUESTS = 500


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
                   check=True)


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.key = None

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        self.conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        resp = self.conn.getresponse()
        data = resp.read()
        assert resp.status == 200, (method, path, resp.status, data)
        return json.loads(data)


def measure(binary):
    db = f"convo_callgrind_{os.getpid()}"
    psql(f"CREATE DATABASE {db}")
    out = tempfile.mkdtemp(prefix="convo-callgrind-")
    port = free_port()
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/cg.out",
         binary, "serve", "--bind", f"127.0.0.1:{port}",
         "--database-url", f"host=127.0.0.1 user=postgres dbname={db}",
         "--rate-limit-per-sec", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": "warn"})
    try:
        for _ in range(600):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=5).request("GET", "/health")
                break
            except OSError:
                time.sleep(0.5)
        c = Client(port)
        c.key = c.call("POST", "/api/actors", {"display_name": "cg", "email": "cg@example.com"})["api_key"]
        c.call("POST", "/api/tenants", {"name": "Callgrind"})
        c.call("POST", "/api/spaces", {"space_id": "page"})
        ids = [c.call("POST", "/api/spaces/page/speech", {"text": f"event {i}"})["event_id"]
               for i in range(60)]
        path = f"/api/spaces/page/events?since={ids[9]}&limit=50"
        for _ in range(20):  # warm: statements prepared, caches filled
            c.call("GET", path)
        figures = {}
        for name, request in [
            ("cursor read (50 events)", lambda: c.call("GET", path)),
            ("append (speech)", lambda: c.call("POST", "/api/spaces/page/speech", {"text": "hello"})),
        ]:
            for d in glob.glob(f"{out}/cg.out*"):
                os.remove(d)
            subprocess.run(["callgrind_control", "--zero", str(server.pid)], check=True,
                           stdout=subprocess.DEVNULL)
            for _ in range(REQUESTS):
                request()
            subprocess.run(["callgrind_control", "--dump=measured", str(server.pid)], check=True,
                           stdout=subprocess.DEVNULL)
            dumps = sorted(glob.glob(f"{out}/cg.out*"), key=os.path.getmtime)
            total = 0
            for line in open(dumps[-1]):
                if line.startswith(("summary:", "totals:")):
                    total = int(line.split()[1])
            figures[name] = total / REQUESTS
            keep = os.environ.get("CALLGRIND_KEEP")
            for d in dumps:
                if keep and d == dumps[-1]:
                    os.rename(d, os.path.join(keep, f"{os.path.basename(binary)}.{name.split()[0]}.out"))
                else:
                    os.remove(d)
        return figures
    finally:
        server.terminate()
        server.wait()
        psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def main():
    binaries = sys.argv[1:] or ["target/release/convo"]
    for binary in binaries:
        for name, per_request in measure(binary).items():
            print(f"{binary}: {name}: {per_request:,.0f} instructions per request")


if __name__ == "__main__":
    main()
