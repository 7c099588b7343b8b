"""Tests for Slipway's Python bootstrap. The harness below plays Slipway's part: it spawns
bootstrap.py exactly as Slipway does (cwd = code dir, the Lambda environment, the framed channel on
fd 3 or the HTTP Runtime API on loopback) and checks what comes back.

Run: python3 -m pytest -q -p no:cacheprovider src/runtime/bootstraps/python
"""

import base64
import json
import os
import queue
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
BOOTSTRAP = os.path.join(HERE, "bootstrap.py")
TASK_ROOT = os.path.join(HERE, "fixtures", "task")
LAYER = os.path.join(HERE, "fixtures", "layer", "python")
PYTHON = os.environ.get("SLIPWAY_TEST_PYTHON", sys.executable or "python3")
ARN = "arn:aws:lambda:us-east-1:123456789012:function:fixture"


def lambda_env(handler, **extra):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "_HANDLER": handler,
        "LAMBDA_TASK_ROOT": TASK_ROOT,
        "LAMBDA_RUNTIME_DIR": HERE,
        "AWS_LAMBDA_FUNCTION_NAME": "fixture",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fixture",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/02/[$LATEST]0123456789abcdef0123456789abcdef",
        "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "PYTHONPATH": TASK_ROOT + os.pathsep + LAYER,
    }
    env.update({k: v for k, v in extra.items() if v is not None})
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
    return env


def invocation_headers(request_id=None, deadline_in_ms=3000, **more):
    headers = {
        "Lambda-Runtime-Aws-Request-Id": request_id or str(uuid.uuid4()),
        "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + deadline_in_ms),
        "Lambda-Runtime-Invoked-Function-Arn": ARN,
        "Lambda-Runtime-Trace-Id": "Root=1-5e1b4151-5ac6c58f5b2ac5b5c4f5d0a2;Parent=53995c3f42cd8ad8;Sampled=1",
    }
    headers.update(more)
    return headers


class Outcome(object):
    def __init__(self, kind, body, headers, request_id):
        self.kind = kind  # "response" | "error" | "init-error"
        self.body = body
        self.headers = headers
        self.request_id = request_id

    def json(self):
        return json.loads(self.body)


# --------------------------------------------------------------------------------------------------
# Slipway's side of the framed channel


def _frame(header, body=b""):
    h = json.dumps(header).encode()
    return struct.pack(">II", len(h), len(body)) + h + body


class FdRuntime(object):
    """Spawns the bootstrap with one end of a socketpair on fd 3 and SLIPWAY_RUNTIME_FD=3."""

    transport = "fd"

    def __init__(self, handler, **env):
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock = parent
        child_fd = child.fileno()

        def put_on_fd_3():
            # dup2 leaves fd 3 inheritable; every other fd Python opened is close-on-exec.
            os.dup2(child_fd, 3)

        self.proc = subprocess.Popen(
            [PYTHON, "-u", BOOTSTRAP],
            cwd=TASK_ROOT,
            env=lambda_env(handler, SLIPWAY_RUNTIME_FD="3", **env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            close_fds=False,
            preexec_fn=put_on_fd_3,
        )
        child.close()
        self.sock.settimeout(30)
        self._buf = b""

    def _recv_exact(self, n):
        while len(self._buf) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("bootstrap closed the channel")
            self._buf += chunk
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def read_frame(self):
        hlen, blen = struct.unpack(">II", self._recv_exact(8))
        header = json.loads(self._recv_exact(hlen))
        return header, self._recv_exact(blen)

    def _outcome(self, header, body):
        op = header["op"]
        return Outcome(op, body, header.get("headers", {}), header.get("requestId"))

    def invoke(self, event, headers=None):
        """Waits for `next`, sends one invocation, returns the response/error (or init error)."""
        header, body = self.read_frame()
        if header["op"] != "next":
            return self._outcome(header, body)
        headers = headers or invocation_headers()
        payload = event if isinstance(event, bytes) else json.dumps(event).encode()
        self.sock.sendall(_frame({"op": "invocation", "headers": headers}, payload))
        return self._outcome(*self.read_frame())

    def close(self):
        """Closes the channel (the bootstrap exits 0 on EOF); returns (stdout, stderr, code)."""
        try:
            self.sock.close()
        except OSError:
            pass
        out, err = self.proc.communicate(timeout=30)
        return out.decode("utf-8"), err.decode("utf-8"), self.proc.returncode


# --------------------------------------------------------------------------------------------------
# Slipway's side of the HTTP Runtime API


class _ApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _reply(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        api = self.server.api
        if self.path != "/2018-06-01/runtime/invocation/next":
            return self._reply(404, {"errorType": "NotFound"})
        api.connections.add(self.client_address)
        api.next_calls += 1
        api.waiting.put(True)
        item = api.invocations.get()
        if item is None:
            self.close_connection = True
            return self._reply(500, {"errorType": "ShuttingDown"})
        headers, payload = item
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self):
        api = self.server.api
        if api.drop_after_post:
            # Close the connection after answering, without saying so (an idle keep-alive
            # connection the server dropped): the bootstrap must reconnect.
            self.close_connection = True
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        m = re.match(r"^/2018-06-01/runtime/invocation/([^/]+)/(response|error)$", self.path)
        if m:
            kind = m.group(2)
            api.outcomes.put(Outcome(kind, body, dict(self.headers), m.group(1)))
            return self._reply(202, {"status": "OK"})
        if self.path == "/2018-06-01/runtime/init/error":
            api.outcomes.put(Outcome("init-error", body, dict(self.headers), None))
            return self._reply(202, {"status": "OK"})
        return self._reply(404, {"errorType": "NotFound"})


class HttpRuntime(object):
    """Spawns the bootstrap against a tiny Runtime API server on 127.0.0.1."""

    transport = "http"

    def __init__(self, handler, **env):
        self.invocations = queue.Queue()
        self.outcomes = queue.Queue()
        self.waiting = queue.Queue()
        self.connections = set()
        self.next_calls = 0
        self.drop_after_post = False
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _ApiHandler)
        self.server.daemon_threads = True
        self.server.api = self
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        address = "127.0.0.1:%d" % self.server.server_address[1]
        self.proc = subprocess.Popen(
            [PYTHON, "-u", BOOTSTRAP],
            cwd=TASK_ROOT,
            env=lambda_env(handler, AWS_LAMBDA_RUNTIME_API=address, **env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def invoke(self, event, headers=None):
        headers = headers or invocation_headers()
        payload = event if isinstance(event, bytes) else json.dumps(event).encode()
        # Wait for either a GET next or an init error.
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                self.waiting.get(timeout=0.05)
                break
            except queue.Empty:
                try:
                    return self.outcomes.get_nowait()
                except queue.Empty:
                    if self.proc.poll() is not None:
                        return self.outcomes.get(timeout=1)
        self.invocations.put((headers, payload))
        return self.outcomes.get(timeout=30)

    def close(self):
        self.invocations.put(None)
        try:
            out, err = self.proc.communicate(timeout=30)
        finally:
            self.server.shutdown()
            self.server.server_close()
        return out.decode("utf-8"), err.decode("utf-8"), self.proc.returncode


TRANSPORTS = (FdRuntime, HttpRuntime)


# --------------------------------------------------------------------------------------------------


class BothTransports(unittest.TestCase):
    """Each test runs once per transport."""

    def each(self, handler, fn, **env):
        for runtime_class in TRANSPORTS:
            with self.subTest(transport=runtime_class.transport):
                rt = runtime_class(handler, **env)
                try:
                    fn(rt)
                finally:
                    if rt.proc.poll() is None and runtime_class is FdRuntime:
                        rt.close()
                    elif rt.proc.poll() is None:
                        rt.proc.kill()
                        rt.close()


class TestInvocations(BothTransports):
    def test_echo_and_warm_reuse(self):
        def check(rt):
            first = rt.invoke({}, None)
            self.assertEqual(first.kind, "response")
            rid = str(uuid.uuid4())
            out = rt.invoke({"a": 1}, invocation_headers(rid))
            self.assertEqual(out.kind, "response")
            self.assertEqual(out.request_id, rid)

        self.each("app.echo", check)

    def test_module_state_survives_invocations(self):
        def check(rt):
            a = rt.invoke({}).json()
            b = rt.invoke({}).json()
            c = rt.invoke({}).json()
            self.assertEqual([a["count"], b["count"], c["count"]], [1, 2, 3])
            self.assertEqual(a["pid"], c["pid"])

        self.each("app.counter", check)

    def test_context_fields(self):
        def check(rt):
            rid = str(uuid.uuid4())
            out = rt.invoke({}, invocation_headers(rid, deadline_in_ms=5000)).json()
            self.assertEqual(out["function_name"], "fixture")
            self.assertEqual(out["function_version"], "$LATEST")
            self.assertEqual(out["invoked_function_arn"], ARN)
            # A string on Lambda too: the runtime copies the env var as is.
            self.assertEqual(out["memory_limit_in_mb"], "256")
            self.assertEqual(out["aws_request_id"], rid)
            self.assertEqual(out["log_group_name"], "/aws/lambda/fixture")
            self.assertTrue(out["log_stream_name"].startswith("2024/01/02/[$LATEST]"))
            self.assertEqual(
                out["identity"], {"cognito_identity_id": None, "cognito_identity_pool_id": None}
            )
            self.assertIsNone(out["client_context"])
            self.assertTrue(4000 < out["remaining"] <= 5000, out["remaining"])
            self.assertTrue(out["trace_env"].startswith("Root=1-5e1b4151"))

        self.each("app.context_fields", check)

    def test_client_context_and_identity(self):
        cc = {
            "client": {"installation_id": "inst-1", "app_title": "Title", "app_version_name": "1.0",
                       "app_version_code": "100", "app_package_name": "com.example"},
            "custom": {"k": "v"},
            "env": {"platform": "Android"},
        }
        ident = {"cognitoIdentityId": "us-east-1:abc", "cognitoIdentityPoolId": "us-east-1:pool"}

        def check(rt):
            headers = invocation_headers(
                **{
                    "Lambda-Runtime-Client-Context": json.dumps(cc),
                    "Lambda-Runtime-Cognito-Identity": json.dumps(ident),
                }
            )
            out = rt.invoke({}, headers).json()
            self.assertEqual(out["client_context"]["custom"], {"k": "v"})
            self.assertEqual(out["client_context"]["env"], {"platform": "Android"})
            self.assertEqual(out["client_context"]["client"]["installation_id"], "inst-1")
            self.assertEqual(out["client_context"]["client"]["app_package_name"], "com.example")
            self.assertEqual(out["identity"]["cognito_identity_id"], "us-east-1:abc")
            self.assertEqual(out["identity"]["cognito_identity_pool_id"], "us-east-1:pool")

        self.each("app.context_fields", check)

    def test_bad_client_context_is_a_context_unmarshal_error(self):
        def check(rt):
            headers = invocation_headers(**{"Lambda-Runtime-Client-Context": "{nope"})
            out = rt.invoke({}, headers)
            self.assertEqual(out.kind, "error")
            err = out.json()
            self.assertEqual(err["errorType"], "Runtime.LambdaContextUnmarshalError")
            self.assertTrue(err["errorMessage"].startswith("Unable to parse Client Context JSON: "))

        self.each("app.context_fields", check)

    def test_remaining_time_is_zero_past_the_deadline(self):
        def check(rt):
            out = rt.invoke({}, invocation_headers(deadline_in_ms=-1000)).json()
            self.assertEqual(out["remaining"], 0)

        self.each("app.context_fields", check)

    def test_trace_id_env_is_per_invocation(self):
        def check(rt):
            h = invocation_headers()
            del h["Lambda-Runtime-Trace-Id"]
            rt.invoke({}, None)
            self.assertIsNone(rt.invoke({}, h).json()["trace_env"])

        self.each("app.context_fields", check)

    def test_environment(self):
        names = ["AWS_LAMBDA_FUNCTION_NAME", "SLIPWAY_RUNTIME_FD", "AWS_LAMBDA_RUNTIME_API", "TZ"]

        def check(rt):
            out = rt.invoke({"names": names}).json()
            self.assertEqual(out["AWS_LAMBDA_FUNCTION_NAME"], "fixture")
            self.assertIsNone(out["SLIPWAY_RUNTIME_FD"])  # internal; not shown to user code
            self.assertTrue(out["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:"))
            self.assertEqual(out["sys_path_0"], TASK_ROOT)
            self.assertEqual(out["cwd"], TASK_ROOT)

        self.each("app.env", check)

    def test_layer_module_from_pythonpath(self):
        self.each("app.layer", lambda rt: self.assertEqual(rt.invoke({}).json(), "from the layer"))

    def test_package_handler_with_slashes_and_dots(self):
        for handler in ("pkg/sub/mod.handler", "pkg.sub.mod.handler"):
            self.each(
                handler,
                lambda rt: self.assertEqual(rt.invoke({}).json(), {"module": "pkg.sub.mod"}),
            )

    def test_large_payload_5mb(self):
        data = "x" * (5 * 1024 * 1024)

        def check(rt):
            out = rt.invoke({"data": data})
            self.assertEqual(out.kind, "response")
            doc = out.json()
            self.assertEqual(doc["size"], len(data))
            self.assertEqual(doc["data"], data)
            # and the channel is still in sync afterwards
            self.assertEqual(rt.invoke({"data": "y"}).json()["data"], "y")

        self.each("app.big", check)

    def test_unicode_payload(self):
        event = {"text": "héllo wörld — ☃ 日本語 🎉", "emoji": "😀"}

        def check(rt):
            out = rt.invoke(json.dumps(event, ensure_ascii=False).encode("utf-8"))
            self.assertEqual(out.json(), event)
            # python3.12+ runtimes keep non-ASCII as UTF-8 (no \\u escapes)
            self.assertIn("☃".encode("utf-8"), out.body)

        self.each("app.echo", check)

    def test_unicode_escaped_before_python312(self):
        def check(rt):
            out = rt.invoke({"t": "☃"})
            self.assertEqual(out.body, b'{"t": "\\u2603"}')

        self.each("app.echo", check, AWS_EXECUTION_ENV="AWS_Lambda_python3.11")

    def test_decimal_and_nan_marshalling(self):
        def check(rt):
            out = rt.invoke({})
            self.assertEqual(out.kind, "response")
            self.assertEqual(
                out.body, b'{"a": 1.10, "b": [-0, 1E+2], "n": NaN, "s": "plain"}'
            )

        self.each("app.decimals", check)

    def test_bytes_result_is_sent_raw(self):
        self.each("app.raw_bytes", lambda rt: self.assertEqual(rt.invoke({}).body, b"\x00raw bytes"))

    def test_none_result_is_null(self):
        self.each("app.noop", lambda rt: self.assertEqual(rt.invoke({}).body, b"null"))

    def test_handler_exception(self):
        def check(rt):
            rid = str(uuid.uuid4())
            out = rt.invoke({"why": "because"}, invocation_headers(rid))
            self.assertEqual(out.kind, "error")
            self.assertEqual(out.headers.get("Lambda-Runtime-Function-Error-Type"), "ValueError")
            err = out.json()
            self.assertEqual(list(err), ["errorMessage", "errorType", "requestId", "stackTrace"])
            self.assertEqual(err["errorMessage"], "something went wrong: because")
            self.assertEqual(err["errorType"], "ValueError")
            self.assertEqual(err["requestId"], rid)
            app = os.path.join(TASK_ROOT, "app.py")
            self.assertEqual(len(err["stackTrace"]), 1)
            self.assertRegex(
                err["stackTrace"][0],
                r'^  File "%s", line \d+, in fail\n    raise ValueError\("something went wrong: " '
                r"\+ str\(event.get\(\"why\"\)\)\)\n$" % re.escape(app),
            )
            # the environment survives a handler error
            self.assertEqual(rt.invoke({"why": 2}).kind, "error")

        self.each("app.fail", check)

    def test_nested_exception_frames(self):
        def check(rt):
            err = rt.invoke({}).json()
            self.assertEqual(err["errorType"], "KeyError")
            self.assertEqual(err["errorMessage"], "'missing'")
            self.assertEqual(len(err["stackTrace"]), 2)
            self.assertIn("in nested_fail", err["stackTrace"][0])
            self.assertIn("in inner", err["stackTrace"][1])
            self.assertNotIn("bootstrap.py", "".join(err["stackTrace"]))

        self.each("app.nested_fail", check)

    def test_marshal_error(self):
        def check(rt):
            out = rt.invoke({})
            self.assertEqual(out.kind, "error")
            err = out.json()
            self.assertEqual(err["errorType"], "Runtime.MarshalError")
            self.assertEqual(
                err["errorMessage"],
                "Unable to marshal response: Object of type set is not JSON serializable",
            )
            self.assertEqual(err["stackTrace"], [])

        self.each("app.unserialisable", check)

    def test_circular_result_is_a_marshal_error(self):
        def check(rt):
            err = rt.invoke({}).json()
            self.assertEqual(err["errorType"], "Runtime.MarshalError")
            self.assertEqual(
                err["errorMessage"], "Unable to marshal response: Circular reference detected"
            )

        self.each("app.circular", check)

    def test_unmarshal_error(self):
        def check(rt):
            err = rt.invoke(b"{not json").json()
            self.assertEqual(err["errorType"], "Runtime.UnmarshalError")
            self.assertTrue(err["errorMessage"].startswith("Unable to unmarshal input: Expecting"))

        self.each("app.echo", check)

    def test_handler_calling_sys_exit_ends_the_environment(self):
        def check(rt):
            if isinstance(rt, FdRuntime):
                with self.assertRaises(EOFError):
                    rt.invoke({})
                self.assertEqual(rt.proc.wait(timeout=10), 3)
            else:
                rt.invocations.put((invocation_headers(), b"{}"))
                self.assertEqual(rt.proc.wait(timeout=10), 3)

        self.each("app.exits", check)


class TestInitErrors(BothTransports):
    def init_error(self, handler, **env):
        results = []

        def check(rt):
            out = rt.invoke({})
            self.assertEqual(out.kind, "init-error")
            stdout, _, code = rt.close()
            self.assertEqual(code, 1)  # as Lambda: report, then exit(1)
            err = out.json()
            self.assertEqual(out.headers.get("Lambda-Runtime-Function-Error-Type"), err["errorType"])
            self.assertEqual(list(err), ["errorMessage", "errorType", "requestId", "stackTrace"])
            self.assertEqual(err["requestId"], "")
            self.assertIn("LAMBDA_WARNING: Unhandled exception.", stdout)
            self.assertIn("[ERROR] " + err["errorType"], stdout)
            results.append(err)

        self.each(handler, check, **env)
        return results[0]

    def test_import_module_error(self):
        err = self.init_error("missing_import.handler")
        self.assertEqual(err["errorType"], "Runtime.ImportModuleError")
        self.assertEqual(
            err["errorMessage"],
            "Unable to import module 'missing_import': No module named 'not_a_real_module_xyz'",
        )
        self.assertEqual(err["stackTrace"], [])

    def test_missing_module(self):
        err = self.init_error("nope.handler")
        self.assertEqual(err["errorType"], "Runtime.ImportModuleError")
        self.assertEqual(err["errorMessage"], "Unable to import module 'nope': No module named 'nope'")

    def test_handler_not_found(self):
        err = self.init_error("app.handler")
        self.assertEqual(err["errorType"], "Runtime.HandlerNotFound")
        self.assertEqual(err["errorMessage"], "Handler 'handler' missing on module 'app'")

    def test_syntax_error(self):
        err = self.init_error("syntax_error.handler")
        self.assertEqual(err["errorType"], "Runtime.UserCodeSyntaxError")
        self.assertTrue(
            err["errorMessage"].startswith("Syntax error in module 'syntax_error': "), err
        )
        self.assertEqual(len(err["stackTrace"]), 1)
        self.assertTrue(
            err["stackTrace"][0].startswith(
                '  File "%s" Line ' % os.path.join(TASK_ROOT, "syntax_error.py")
            ),
            err["stackTrace"],
        )

    def test_malformed_handler_name(self):
        err = self.init_error("nodot")
        self.assertEqual(err["errorType"], "Runtime.MalformedHandlerName")
        self.assertEqual(
            err["errorMessage"], "Bad handler 'nodot': not enough values to unpack (expected 2, got 1)"
        )

    def test_built_in_module_conflict(self):
        err = self.init_error("sys.handler")
        self.assertEqual(err["errorType"], "Runtime.BuiltInModuleConflict")
        self.assertEqual(err["errorMessage"], "Cannot use built-in module sys as a handler module")

    def test_exception_at_import(self):
        err = self.init_error("init_raises.handler")
        self.assertEqual(err["errorType"], "ValueError")
        self.assertEqual(err["errorMessage"], "bad config at import")
        trace = "".join(err["stackTrace"])
        self.assertIn('init_raises.py", line 5, in <module>', trace)
        self.assertIn('init_raises.py", line 2, in helper', trace)
        self.assertNotIn("/bootstrap.py", trace)


# --------------------------------------------------------------------------------------------------


TEXT_LINE = re.compile(
    r"^\[(?P<level>[A-Z]+)\]\t(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\t(?P<rid>[^\t]*)\t(?P<msg>.*)$"
)


class TestLogging(unittest.TestCase):
    def run_logs(self, event, **env):
        rt = FdRuntime("app.logs", **env)
        rid = str(uuid.uuid4())
        out = rt.invoke(event, invocation_headers(rid))
        self.assertEqual(out.json(), "ok")
        stdout, stderr, code = rt.close()
        self.assertEqual(code, 0, stderr)
        return rid, stdout.split("\n")

    def test_text_format_default_level_is_warning(self):
        rid, lines = self.run_logs({})
        self.assertIn("printed line", lines)
        self.assertIn("multi", lines)  # print() is raw: its newlines split lines
        self.assertIn("line print", lines)
        records = [TEXT_LINE.match(line) for line in lines]
        records = [m for m in records if m]
        levels = [m.group("level") for m in records]
        self.assertEqual(levels, ["WARNING", "ERROR", "ERROR"])  # info/debug hidden by default
        for m in records:
            self.assertEqual(m.group("rid"), rid)
        self.assertEqual(records[0].group("msg"), "warning message")
        self.assertEqual(records[1].group("msg"), "two\rlines")  # one record, one line
        self.assertTrue(records[2].group("msg").startswith("caught it\rTraceback (most recent call last):\r"))
        self.assertTrue(records[2].group("msg").endswith("RuntimeError: boom"))
        self.assertEqual(lines[-1], "no newline at end")  # flushed before the response

    def test_text_format_with_log_level(self):
        rid, lines = self.run_logs({}, AWS_LAMBDA_LOG_LEVEL="DEBUG")
        levels = [m.group("level") for m in map(TEXT_LINE.match, lines) if m]
        self.assertEqual(levels, ["DEBUG", "INFO", "WARNING", "ERROR", "ERROR", "INFO"])

    def test_timestamps_are_utc(self):
        rid, lines = self.run_logs({}, TZ="America/New_York")
        ts = [m.group("ts") for m in map(TEXT_LINE.match, lines) if m][0]
        logged = time.mktime(time.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
        self.assertLess(abs(logged - time.time()), 120)

    def test_json_format(self):
        rid, lines = self.run_logs({}, AWS_LAMBDA_LOG_FORMAT="JSON", AWS_LAMBDA_LOG_LEVEL="INFO")
        docs = [json.loads(line) for line in lines if line.startswith("{")]
        self.assertEqual([d["level"] for d in docs], ["INFO", "WARNING", "ERROR", "ERROR", "INFO"])
        first = docs[0]
        self.assertEqual(set(first), {"timestamp", "level", "message", "logger", "requestId"})
        self.assertEqual(first["message"], "info message")
        self.assertEqual(first["logger"], "root")
        self.assertEqual(first["requestId"], rid)
        self.assertRegex(first["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(docs[2]["logger"], "my.logger")
        self.assertEqual(docs[2]["message"], "two\nlines")
        exc = docs[3]
        self.assertEqual(exc["errorType"], "RuntimeError")
        self.assertEqual(exc["errorMessage"], "boom")
        self.assertTrue(exc["stackTrace"] and "in logs" in exc["stackTrace"][0])
        self.assertIn("location", exc)
        self.assertEqual(docs[4]["orderId"], 42)
        self.assertIn("printed line", lines)  # print() stays raw text

    def test_handler_error_is_logged_as_lambda_does(self):
        rt = FdRuntime("app.fail")
        rid = str(uuid.uuid4())
        rt.invoke({"why": "x"}, invocation_headers(rid))
        stdout, _, _ = rt.close()
        line = [l for l in stdout.split("\n") if l.startswith("[ERROR]")][0]
        parts = line.split("\r")
        self.assertEqual(parts[0], "[ERROR] ValueError: something went wrong: x")
        self.assertEqual(parts[1], "Traceback (most recent call last):")
        self.assertTrue(parts[2].startswith('\u00a0\u00a0File "'))
        self.assertTrue(parts[3].startswith("\u00a0\u00a0\u00a0\u00a0raise ValueError"))

    def test_handler_error_json_log(self):
        rt = FdRuntime("app.fail", AWS_LAMBDA_LOG_FORMAT="JSON")
        rid = str(uuid.uuid4())
        rt.invoke({"why": "x"}, invocation_headers(rid))
        stdout, _, _ = rt.close()
        doc = json.loads([l for l in stdout.split("\n") if l.startswith("{")][0])
        self.assertEqual(doc["log_level"], "ERROR")
        self.assertEqual(doc["errorType"], "ValueError")
        self.assertEqual(doc["requestId"], rid)


class TestChannel(unittest.TestCase):
    def test_exits_cleanly_when_slipway_closes_the_channel(self):
        rt = FdRuntime("app.noop")
        rt.invoke({})
        _, stderr, code = rt.close()
        self.assertEqual(code, 0)
        self.assertEqual(stderr, "")

    def test_channel_fd_is_not_inherited_by_user_subprocesses(self):
        if not os.path.isdir("/proc/self/fd"):
            self.skipTest("no /proc here")
        rt = FdRuntime("app.child_fds")
        fds = rt.invoke({}).json()
        rt.close()
        self.assertIn("0", fds)
        self.assertNotIn("3", fds)

    def test_http_reuses_one_connection(self):
        rt = HttpRuntime("app.noop")
        for _ in range(5):
            self.assertEqual(rt.invoke({}).kind, "response")
        rt.close()
        self.assertEqual(len(rt.connections), 1)

    def test_http_reconnects_when_the_server_drops_the_connection(self):
        rt = HttpRuntime("app.counter")
        rt.drop_after_post = True
        counts = [rt.invoke({}).json()["count"] for _ in range(4)]
        rt.close()
        self.assertEqual(counts, [1, 2, 3, 4])
        self.assertGreater(len(rt.connections), 1)

    def test_throughput_smoke(self):
        # Not a benchmark (see bench/): just shows the fast path has no per-call sleeps.
        rt = FdRuntime("app.noop")
        rt.invoke({})
        start = time.perf_counter()
        n = 500
        for _ in range(n):
            rt.invoke({})
        elapsed = time.perf_counter() - start
        rt.close()
        self.assertLess(elapsed, 10)


class TestDebugAndHooks(unittest.TestCase):
    def test_debug_port_without_debugpy_warns_and_continues(self):
        try:
            import debugpy  # noqa: F401

            self.skipTest("debugpy is installed here")
        except ImportError:
            pass
        rt = FdRuntime("app.noop", SLIPWAY_DEBUG_PORT="5678")
        self.assertEqual(rt.invoke({}).kind, "response")
        _, stderr, _ = rt.close()
        self.assertIn("debugpy is not installed", stderr)
        self.assertEqual(len(stderr.strip().splitlines()), 1)

    def _botocore(self):
        try:
            import botocore  # noqa: F401
        except ImportError:
            self.skipTest("botocore is not importable here")

    def test_endpoint_hook_patches_old_botocore(self):
        self._botocore()
        code = (
            "import sys; sys.path.insert(0, %r)\n"
            "import slipway_endpoint_hook as h\n"
            "h.install('http://127.0.0.1:4566', force=True)\n"
            "import botocore.session\n"
            "s = botocore.session.get_session()\n"
            "c = s.create_client('s3', region_name='us-east-1', aws_access_key_id='a', aws_secret_access_key='b')\n"
            "e = s.create_client('sqs', region_name='us-east-1', endpoint_url='http://x:1', aws_access_key_id='a', aws_secret_access_key='b')\n"
            "print(c.meta.endpoint_url, e.meta.endpoint_url)\n" % HERE
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
        out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.split(), ["http://127.0.0.1:4566", "http://x:1"])

    def test_bootstrap_installs_the_endpoint_hook_lazily(self):
        self._botocore()
        rt = FdRuntime("app.endpoint_hook", SLIPWAY_ENDPOINT_URL="http://127.0.0.1:4566")
        out = rt.invoke({}).json()
        rt.close()
        self.assertIn("EndpointHookFinder", out["finders"])
        sys.path.insert(0, HERE)
        try:
            import slipway_endpoint_hook as h
        finally:
            sys.path.remove(HERE)
        expected = "http://127.0.0.1:4566" if h.needs_patch(out["version"]) else None
        self.assertEqual(out["patched"], expected)

    def test_no_endpoint_hook_without_slipway_endpoint_url(self):
        self._botocore()
        rt = FdRuntime("app.endpoint_hook")
        out = rt.invoke({}).json()
        rt.close()
        self.assertNotIn("EndpointHookFinder", out["finders"])
        self.assertIsNone(out["patched"])

    def test_endpoint_hook_leaves_new_botocore_alone(self):
        self._botocore()
        sys.path.insert(0, HERE)
        try:
            import slipway_endpoint_hook as h
        finally:
            sys.path.remove(HERE)
        self.assertTrue(h.needs_patch("1.30.9"))
        self.assertTrue(h.needs_patch("1.29.165"))
        self.assertFalse(h.needs_patch("1.31.0"))
        self.assertFalse(h.needs_patch("1.43.11"))
        code = (
            "import sys; sys.path.insert(0, %r)\n"
            "import slipway_endpoint_hook as h\n"
            "h.install('http://127.0.0.1:4566')\n"
            "import botocore.session\n"
            "print(getattr(botocore.session.Session, '_slipway_endpoint_url', None))\n" % HERE
        )
        out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        import botocore

        expected = "http://127.0.0.1:4566" if h.needs_patch(botocore.__version__) else "None"
        self.assertEqual(out.stdout.strip(), expected)


if __name__ == "__main__":
    unittest.main()
