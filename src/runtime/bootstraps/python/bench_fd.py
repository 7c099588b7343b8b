"""Rough throughput of the bootstrap over the fd channel (no-op handler), as Slipway drives it:
one invocation at a time. Usage: python3 bench_fd.py [N] [handler]
(A timing tool, not a test: bench/ holds the project's benchmarks.)"""
import json
import os
import struct
import sys
import time
import uuid

from test_bootstrap import FdRuntime, invocation_headers


def child_cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    handler = sys.argv[2] if len(sys.argv) > 2 else "app.noop"
    rt = FdRuntime(handler)
    sock = rt.sock
    headers = invocation_headers()
    # Pre-build frames as Slipway would, varying only the request id.
    frames = []
    for i in range(n):
        headers = dict(headers, **{"Lambda-Runtime-Aws-Request-Id": str(uuid.uuid4())})
        h = json.dumps({"op": "invocation", "headers": headers}).encode()
        frames.append(struct.pack(">II", len(h), 2) + h + b"{}")
    rt.read_frame()  # first next
    cpu0 = child_cpu(rt.proc.pid)
    start = time.perf_counter()
    for frame in frames:
        sock.sendall(frame)
        header, _ = rt.read_frame()  # response
        assert header["op"] == "response", header
        rt.read_frame()  # next
    elapsed = time.perf_counter() - start
    cpu = child_cpu(rt.proc.pid) - cpu0
    print("bootstrap CPU: %.1f us per invocation (user+sys, start-up excluded)" % (cpu / n * 1e6))
    rt.close()
    print("%d invocations in %.2fs: %.0f/s (%.1f us each, harness included)" % (n, elapsed, n / elapsed, elapsed / n * 1e6))


if __name__ == "__main__":
    main()
