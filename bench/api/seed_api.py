#!/usr/bin/env python3
"""Seed an Ironic-compatible API with nodes bench-FIRST..bench-LAST and 2 ports per node.

Usage: seed_api.py URL FIRST LAST [WORKERS]

Each worker thread keeps one keep-alive http.client connection. Node i gets the name
bench-%05d and the MACs mac(i, 0), mac(i, 1); ironic_clone.sql derives MACs the same way,
so both servers hold the same data. Any reply other than 201 aborts the seeding (exit 1)
with the request and the reply printed. Prints the elapsed time and the request rate.
"""
import concurrent.futures
import http.client
import json
import sys
import threading
import time
import urllib.parse

HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "X-OpenStack-Ironic-API-Version": "1.78",
}
DRIVER_INFO = {"deploy_kernel": "http://192.0.2.1/ipa.kernel",
               "deploy_ramdisk": "http://192.0.2.1/ipa.initramfs"}
PROPERTIES = {"cpus": 8, "memory_mb": 32768, "local_gb": 200, "cpu_arch": "x86_64"}


def mac(i, j):
    """Unique MAC for port j (0 or 1) of node i; same formula as ironic_clone.sql."""
    v = 2 * i + j
    return "52:54:%02x:%02x:%02x:%02x" % ((v >> 24) & 255, (v >> 16) & 255, (v >> 8) & 255, v & 255)


class Client(threading.local):
    """One keep-alive connection per worker thread."""

    def post(self, host, port, path, body):
        if not hasattr(self, "conn"):
            self.conn = http.client.HTTPConnection(host, port, timeout=60)
        payload = json.dumps(body)
        self.conn.request("POST", path, payload, HEADERS)
        resp = self.conn.getresponse()
        data = resp.read()
        if resp.status != 201:
            raise RuntimeError("POST %s %s -> HTTP %d: %s" % (path, payload, resp.status, data[:500]))
        return json.loads(data)


def main():
    url = urllib.parse.urlsplit(sys.argv[1])
    first, last = int(sys.argv[2]), int(sys.argv[3])
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 8
    client = Client()

    def seed_one(i):
        node = client.post(url.hostname, url.port, "/v1/nodes", {
            "driver": "fake-hardware", "name": "bench-%05d" % i,
            "driver_info": DRIVER_INFO, "properties": PROPERTIES})
        for j in (0, 1):
            client.post(url.hostname, url.port, "/v1/ports",
                        {"address": mac(i, j), "node_uuid": node["uuid"]})

    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        # Stop at the first failure and cancel the rest, so a broken server fails fast.
        futures = [pool.submit(seed_one, i) for i in range(first, last + 1)]
        for f in futures:
            try:
                f.result()
            except Exception as e:  # noqa: BLE001 - report and abort
                for g in futures:
                    g.cancel()
                print("seed FAILED: %s" % e, file=sys.stderr)
                sys.exit(1)
    elapsed = time.monotonic() - start
    n = last - first + 1
    print("seeded %d nodes + %d ports in %.1f s (%.0f POST/s, %d workers)"
          % (n, 2 * n, elapsed, 3 * n / elapsed if elapsed else 0, workers))


if __name__ == "__main__":
    main()
