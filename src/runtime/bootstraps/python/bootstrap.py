"""Slipway's Python bootstrap: one Lambda execution environment for a Python function.

Spawned by Slipway as ``python3 -u bootstrap.py`` with cwd = the function's code directory and the
Lambda environment (see docs/runtime-protocol.md). It behaves like AWS's Python runtime
(awslambdaric): same handler resolution, context object, error payloads, log lines.

Transports (one small interface, see ``FdTransport`` / ``HttpTransport``):
  - ``SLIPWAY_RUNTIME_FD=3``: Slipway's framed fast channel on that fd (a Unix socketpair end).
    Frame = u32BE header length, u32BE body length, UTF-8 JSON header, body bytes.
  - otherwise: the HTTP Lambda Runtime API at ``AWS_LAMBDA_RUNTIME_API`` (persistent connection).

Stdlib only; runs on Python 3.9 .. 3.14. Everything that runs around the user's handler lives in this
one file on purpose: stack traces drop leading frames whose file name contains ``/bootstrap.py``,
exactly as awslambdaric does.
"""

import json
import json.scanner
import logging
import os
import sys
import time
import traceback

# --------------------------------------------------------------------------------------------------
# Errors

ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"


class FaultException(Exception):
    """A failure of the runtime contract (not an exception raised by user code)."""

    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
    LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

    def __init__(self, exception_type, msg, trace=None):
        Exception.__init__(self, msg)
        self.exception_type = exception_type
        self.msg = msg
        self.trace = trace


def make_error(message, error_type, stack_trace, request_id=None):
    # Key order and empty-value defaults as Lambda's Python runtime sends them.
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace or [],
    }


def _user_frames(tb):
    """The traceback as (file, line, function, code) tuples, minus the leading bootstrap frames."""
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    for i, frame in enumerate(frames):
        if "/bootstrap.py" not in frame[0]:
            return frames[i:]
    return frames


def error_from_exception(exc_info, request_id=None):
    etype, value, tb = exc_info
    frames = _user_frames(tb)
    # format_list of plain 4-tuples: '  File "/var/task/app.py", line 3, in handler\n    code\n'
    # (no column carets, as on Lambda).
    return make_error(str(value), etype.__name__, traceback.format_list(frames), request_id), frames


def xray_cause(error_type, message, frames):
    return {
        "working_directory": os.getcwd(),
        "exceptions": [
            {
                "message": message,
                "type": error_type,
                "stack": [{"label": f[2], "path": f[0], "line": f[1]} for f in frames],
            }
        ],
        "paths": list({f[0] for f in frames}),
    }


# --------------------------------------------------------------------------------------------------
# JSON (Lambda's marshaller: Decimal written exactly, NaN/Infinity allowed, non-ASCII kept verbatim
# on the python3.12+ runtimes and \u-escaped on older ones)

_DECIMAL_MARK = "\x00\x01slipway-decimal\x01"
_DECIMAL_MARK_JSON = json.dumps(_DECIMAL_MARK)[1:-1]


class LambdaJSONEncoder(json.JSONEncoder):
    """json.JSONEncoder with Lambda's Decimal handling (awslambdaric writes ``str(decimal)`` raw).

    The stdlib encoder cannot emit raw text, so a Decimal is emitted as a marked string and the
    marks (with their quotes) are removed afterwards; only encodings that met a Decimal pay for it.

    Fast path: one C encoder built once and reused (json.dumps builds one per call). It skips the
    circular-reference bookkeeping; when it fails for any reason the value is encoded again the
    standard way, so errors (and their messages) are exactly json's.
    """

    def __init__(self, ensure_ascii=True):
        json.JSONEncoder.__init__(self, ensure_ascii=ensure_ascii, allow_nan=True)
        self._decimals = False
        self._fast = None
        make = getattr(json.encoder, "c_make_encoder", None)
        if make is not None:
            try:
                self._fast = make(
                    None,
                    self.default,
                    json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring,
                    None,
                    self.key_separator,
                    self.item_separator,
                    False,
                    False,
                    True,
                )
            except Exception:
                self._fast = None

    def default(self, o):
        decimal = sys.modules.get("decimal")  # no Decimal can exist before decimal is imported
        if decimal is not None and isinstance(o, decimal.Decimal):
            if o.is_nan():
                return float("nan")
            self._decimals = True
            return _DECIMAL_MARK + str(o) + _DECIMAL_MARK
        return json.JSONEncoder.default(self, o)

    def encode(self, o):
        self._decimals = False
        text = None
        fast = self._fast
        if fast is not None and not isinstance(o, str):
            try:
                text = "".join(fast(o, 0))
            except Exception:
                self._decimals = False
        if text is None:
            text = json.JSONEncoder.encode(self, o)
        if self._decimals:
            self._decimals = False
            mark = '"' + _DECIMAL_MARK_JSON
            parts = text.split(mark)
            if len(parts) > 1:
                out = [parts[0]]
                end = _DECIMAL_MARK_JSON + '"'
                for part in parts[1:]:
                    number, _, rest = part.partition(end)
                    out.append(number)
                    out.append(rest)
                text = "".join(out)
        return text


_json_decoder = json.JSONDecoder()


def loads_event(body):
    """json.loads(body) for the event bytes, minus its per-call encoding sniffing on the common
    (UTF-8) path; any failure is retried with json.loads itself, for its exact behaviour."""
    try:
        return _json_decoder.decode(body.decode("utf-8"))
    except Exception:
        return json.loads(body)


def _ensure_ascii_for(execution_env):
    # awslambdaric keeps non-ASCII characters for AWS_Lambda_python3.12 and later.
    prefix = "AWS_Lambda_python3."
    if execution_env and execution_env.startswith(prefix):
        try:
            return int(execution_env[len(prefix):]) < 12
        except ValueError:
            return True
    return True


# --------------------------------------------------------------------------------------------------
# Context


class CognitoIdentity(object):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __init__(self, identity_id=None, pool_id=None):
        self.cognito_identity_id = identity_id
        self.cognito_identity_pool_id = pool_id

    def __repr__(self):
        return "CognitoIdentity([cognito_identity_id=%s,cognito_identity_pool_id=%s])" % (
            self.cognito_identity_id,
            self.cognito_identity_pool_id,
        )


class Client(object):
    __slots__ = [
        "installation_id",
        "app_title",
        "app_version_name",
        "app_version_code",
        "app_package_name",
    ]

    def __init__(self, d):
        for name in Client.__slots__:
            setattr(self, name, d.get(name))

    def __repr__(self):
        return "Client([%s])" % ",".join(
            "%s=%s" % (n, getattr(self, n)) for n in Client.__slots__
        )


class ClientContext(object):
    __slots__ = ["custom", "env", "client"]

    def __init__(self, d):
        self.custom = d.get("custom")
        self.env = d.get("env")
        client = d.get("client")
        self.client = Client(client) if client is not None else None

    def __repr__(self):
        return "ClientContext([custom=%s,env=%s,client=%s])" % (self.custom, self.env, self.client)


def _parse_json_header(value, name):
    try:
        return json.loads(value)
    except Exception as e:
        raise FaultException(
            FaultException.LAMBDA_CONTEXT_UNMARSHAL_ERROR,
            "Unable to parse %s JSON: %s" % (name, e),
        )


class LambdaContext(object):
    """The ``context`` argument, attribute for attribute as on Lambda.

    ``memory_limit_in_mb`` is a *string* (e.g. ``"128"``), as on Lambda: the runtime copies
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE without converting it.
    """

    # Read once at start-up (set by main()); Lambda never changes them during a sandbox's life.
    _static = {}

    def __init__(self, request_id, deadline_ms, arn, client_context, identity, tenant_id=None):
        s = LambdaContext._static
        self.aws_request_id = request_id
        self.log_group_name = s.get("log_group_name")
        self.log_stream_name = s.get("log_stream_name")
        self.function_name = s.get("function_name")
        self.memory_limit_in_mb = s.get("memory_limit_in_mb")
        self.function_version = s.get("function_version")
        self.invoked_function_arn = arn
        self.tenant_id = tenant_id
        self.client_context = (
            ClientContext(_parse_json_header(client_context, "Client Context"))
            if client_context
            else None
        )
        if identity:
            ident = _parse_json_header(identity, "Cognito Identity")
            self.identity = CognitoIdentity(
                ident.get("cognitoIdentityId"), ident.get("cognitoIdentityPoolId")
            )
        else:
            self.identity = CognitoIdentity()
        self._epoch_deadline_time_in_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        remaining = self._epoch_deadline_time_in_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,"
            "function_name=%s,memory_limit_in_mb=%s,function_version=%s,"
            "invoked_function_arn=%s,client_context=%s,identity=%s,tenant_id=%s])"
            % (
                self.aws_request_id,
                self.log_group_name,
                self.log_stream_name,
                self.function_name,
                self.memory_limit_in_mb,
                self.function_version,
                self.invoked_function_arn,
                self.client_context,
                self.identity,
                self.tenant_id,
            )
        )


# --------------------------------------------------------------------------------------------------
# Logging, as Lambda's Python runtime configures it
#
# Default level: the runtime only sets the root logger's level when AWS_LAMBDA_LOG_LEVEL is set
# (Lambda sets it with advanced logging controls / JSON format). Otherwise the root logger keeps
# Python's default, WARNING, so `logging.info(...)` prints nothing on Lambda until the function
# calls `logging.getLogger().setLevel(logging.INFO)`. We keep that.
#
# Multi-line records: on Lambda each record is one framed message (one CloudWatch event) even when
# it contains newlines. Slipway splits stdout on "\n", so a record's inner newlines are written
# as "\r" (what Lambda's own runtimes do when they log to stdout, e.g. awslambdaric's error lines
# and the Node runtime), and one record stays one log line. print() output is written untouched.

_current_request_id = None
_current_tenant_id = None

TEXT_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
TEXT_DATEFMT = "%Y-%m-%dT%H:%M:%S"
JSON_DATEFMT = "%Y-%m-%dT%H:%M:%SZ"

_RESERVED_RECORD_FIELDS = frozenset(
    (
        "name msg args levelname levelno pathname filename module exc_info exc_text stack_info "
        "lineno funcName created msecs relativeCreated thread threadName processName process "
        "aws_request_id tenant_id _frame_type"
    ).split()
)


def _one_line(text):
    """Inner newlines -> '\r'; exactly one trailing '\n'."""
    if text.endswith("\n"):
        text = text[:-1]
    if "\n" in text:
        text = text.replace("\n", "\r")
    return text + "\n"


class LambdaLoggerHandler(logging.Handler):
    """Writes formatted records to (the current) sys.stdout, one record per line."""

    def emit(self, record):
        sys.stdout.write(_one_line(self.format(record)))


class LambdaLoggerFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _current_request_id or ""
        record.tenant_id = _current_tenant_id
        return True


class JsonFormatter(logging.Formatter):
    """Lambda's JSON log format: timestamp, level, message, logger, requestId (+ exception fields
    and any `extra=` attributes)."""

    def __init__(self, encoder):
        logging.Formatter.__init__(self, datefmt=JSON_DATEFMT)
        self._encode = encoder.encode

    def format(self, record):
        record.levelno = min(50, max(0, record.levelno)) // 10 * 10
        record.levelname = logging.getLevelName(record.levelno)
        exc_info = record.exc_info
        result = {
            "timestamp": self.formatTime(record, self.datefmt),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc_info[2]) if exc_info else None,
            "errorType": exc_info[0].__name__ if exc_info else None,
            "errorMessage": str(exc_info[1]) if exc_info else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": "%s:%s:%s" % (record.pathname, record.funcName, record.lineno)
            if exc_info
            else None,
        }
        if getattr(record, "tenant_id", None) is not None:
            result["tenantId"] = record.tenant_id
        for key, value in record.__dict__.items():
            if key not in _RESERVED_RECORD_FIELDS and key not in result:
                result[key] = value
        return self._encode({k: v for k, v in result.items() if v is not None}) + "\n"


def setup_logging(log_format, log_level, log_encoder):
    logging.Formatter.converter = time.gmtime  # Lambda's runtime does this for every formatter
    handler = LambdaLoggerHandler()
    if log_format == "JSON":
        handler.setFormatter(JsonFormatter(LambdaJSONEncoder(ensure_ascii=False)))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT, TEXT_DATEFMT))
    if log_level in logging._nameToLevel:  # noqa: SLF001 - as the runtime does
        logging.getLogger().setLevel(log_level)
    handler.addFilter(LambdaLoggerFilter())
    logging.getLogger().addHandler(handler)


def _log_level_from_env(value):
    if value is None:
        return ""
    return ("DEBUG" if value.upper() == "TRACE" else value).upper()


def make_error_logger(log_format, encoder):
    """How the runtime itself logs an unhandled error: Text = one line ('\r' between the
    traceback's lines, indentation as NO-BREAK SPACEs), JSON = one object."""
    if log_format == "JSON":

        def log_error(error):
            doc = {"timestamp": time.strftime(JSON_DATEFMT, time.gmtime()), "log_level": "ERROR"}
            doc.update(error)
            sys.stdout.write(encoder.encode(doc) + "\n")

        return log_error

    def log_error(error):
        description = "[ERROR]"
        etype = error.get("errorType")
        message = error.get("errorMessage")
        if etype:
            description += " " + etype
        if message:
            if etype:
                description += ":"
            description += " " + message
        lines = [description]
        trace = error.get("stackTrace")
        if trace is not None:
            lines.append("Traceback (most recent call last):")
            for element in trace:
                if element == "":
                    lines.append("")
                    continue
                for line in element.splitlines():
                    stripped = line.lstrip(" ")
                    lines.append("\u00a0" * (len(line) - len(stripped)) + stripped)
        sys.stdout.write("\r".join(lines) + "\n")

    return log_error


UNHANDLED_EXCEPTION_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function change, "
    "or can be applied automatically. To determine if the runtime has been updated, check the "
    "runtime version in the INIT_START log entry. If this error correlates with a change in the "
    "runtime version, you may be able to mitigate this error by temporarily rolling back to the "
    "previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)


# --------------------------------------------------------------------------------------------------
# Transports. Interface:
#   next() -> (headers: dict with the Lambda-Runtime-* names, body: bytes, content_type or None)
#   post_response(request_id, body: bytes, content_type)
#   post_error(request_id, error_type, body: bytes, xray_cause_json: str or None)
#   post_init_error(error_type, body: bytes)
#   close()


class FdTransport(object):
    """Slipway's framed channel on an inherited socket fd (docs/runtime-protocol.md section 2)."""

    CHUNK = 65536

    def __init__(self, fd):
        import socket
        import struct

        self._pack = struct.Struct(">II").pack
        self._unpack_from = struct.Struct(">II").unpack_from
        self._sock = socket.socket(fileno=fd)
        self._sock.setblocking(True)
        try:
            os.set_inheritable(fd, False)  # user subprocesses must not hold the channel open
        except OSError:
            pass
        self._rbuf = bytearray(self.CHUNK)
        self._rview = memoryview(self._rbuf)
        self._left = b""  # bytes received past the last frame
        self._out = b""  # frame(s) to send together with the next `next`
        self._dumps = json.dumps
        scan_once = json.scanner.make_scanner(json.JSONDecoder())
        # Slipway writes compact JSON headers: the scanner alone parses them.
        self._loads = lambda data: scan_once(data.decode("utf-8"), 0)[0]
        header = b'{"op":"next"}'
        self._next_frame = self._pack(len(header), 0) + header

    def _frame(self, header, body):
        """Length prefix + header; the body is sent after it."""
        return self._pack(len(header), len(body)) + header

    def _send(self, *parts):
        sock = self._sock
        small = sum(len(p) for p in parts) <= 262144
        if small:
            sock.sendall(b"".join(parts))
        else:
            for p in parts:
                if p:
                    sock.sendall(p)

    def _recv_some(self):
        n = self._sock.recv_into(self._rbuf)
        if not n:
            raise EOFError("Slipway closed the runtime channel")
        return n

    def _read_frame(self):
        data = self._left
        while len(data) < 8:
            n = self._recv_some()
            data = data + self._rview[:n].tobytes() if data else self._rview[:n].tobytes()
        hlen, blen = self._unpack_from(data, 0)
        total = 8 + hlen + blen
        have = len(data)
        if have < total:
            if total - have <= self.CHUNK:
                chunks = [data]
                while have < total:
                    n = self._recv_some()
                    chunks.append(self._rview[:n].tobytes())
                    have += n
                data = b"".join(chunks)
            else:  # large body: receive straight into its final place
                big = bytearray(total)
                big[:have] = data
                view = memoryview(big)
                recv_into = self._sock.recv_into
                while have < total:
                    n = recv_into(view[have:], total - have)
                    if not n:
                        raise EOFError("Slipway closed the runtime channel")
                    have += n
                header = self._loads(bytes(view[8 : 8 + hlen]))
                body = view[8 + hlen :].tobytes()
                self._left = b""
                return header, body
        self._left = data[total:] if have > total else b""
        return self._loads(data[8 : 8 + hlen]), data[8 + hlen : total]

    def next(self):
        out = self._out
        if out:
            self._out = b""
            self._send(out, self._next_frame)
        else:
            self._sock.sendall(self._next_frame)
        while True:
            header, body = self._read_frame()
            if header.get("op") == "invocation":
                return header.get("headers") or {}, body, None
            sys.stderr.write("slipway bootstrap: ignoring unexpected frame op %r\n" % header.get("op"))

    def post_response(self, request_id, body, content_type):
        header = b'{"op":"response","requestId":' + self._dumps(request_id).encode() + b"}"
        if len(body) <= 262144:
            # Sent together with the following `next` frame: one syscall per invocation.
            self._out = self._frame(header, body) + body
        else:
            self._send(self._frame(header, body), body)

    def post_error(self, request_id, error_type, body, xray_cause=None):
        header = self._dumps(
            {"op": "error", "requestId": request_id, "headers": {ERROR_TYPE_HEADER: error_type}}
        ).encode()
        self._send(self._frame(header, body), body)

    def post_init_error(self, error_type, body):
        header = self._dumps({"op": "init-error", "headers": {ERROR_TYPE_HEADER: error_type}}).encode()
        self._send(self._frame(header, body), body)

    def close(self):
        try:
            self._sock.close()
        except OSError:
            pass


class HttpTransport(object):
    """The Lambda Runtime API over HTTP/1.1 with one persistent connection."""

    PREFIX = "/2018-06-01/runtime"
    INVOCATION_HEADERS = (
        "Lambda-Runtime-Aws-Request-Id",
        "Lambda-Runtime-Deadline-Ms",
        "Lambda-Runtime-Invoked-Function-Arn",
        "Lambda-Runtime-Trace-Id",
        "Lambda-Runtime-Client-Context",
        "Lambda-Runtime-Cognito-Identity",
        "Lambda-Runtime-Aws-Tenant-Id",
    )

    def __init__(self, address):
        import http.client

        self._http = http.client
        self._address = address
        self._conn = None
        self._retryable = (
            http.client.RemoteDisconnected,
            http.client.CannotSendRequest,
            http.client.BadStatusLine,
            ConnectionResetError,
            ConnectionAbortedError,
            BrokenPipeError,
        )
        from urllib.parse import quote

        self._quote = quote

    def _call(self, method, path, body=None, headers=None):
        # A keep-alive connection the server closed while idle (e.g. during a long handler) fails on
        # first use; the request never reached the server, so it is sent once more on a new one.
        for attempt in (0, 1):
            if self._conn is None:
                self._conn = self._http.HTTPConnection(self._address)
            try:
                self._conn.request(method, path, body=body, headers=headers or {})
                resp = self._conn.getresponse()
                data = resp.read()
                return resp, data
            except self._retryable:
                self._conn.close()
                self._conn = None
                if attempt:
                    raise

    def _check(self, what, resp, data):
        if resp.status // 100 != 2:
            sys.stderr.write(
                "slipway bootstrap: the Runtime API answered %d to %s: %s\n"
                % (resp.status, what, data.decode("utf-8", "replace")[:500])
            )

    def next(self):
        resp, data = self._call("GET", self.PREFIX + "/invocation/next")
        if resp.status != 200:
            raise RuntimeError(
                "GET /runtime/invocation/next answered %d: %s"
                % (resp.status, data.decode("utf-8", "replace")[:500])
            )
        getheader = resp.getheader
        headers = {}
        for name in self.INVOCATION_HEADERS:
            value = getheader(name)
            if value is not None:
                headers[name] = value
        return headers, data, getheader("Content-Type")

    def _path(self, request_id, what):
        return "%s/invocation/%s/%s" % (self.PREFIX, self._quote(request_id, safe=""), what)

    def post_response(self, request_id, body, content_type):
        resp, data = self._call(
            "POST", self._path(request_id, "response"), body, {"Content-Type": content_type}
        )
        self._check("POST /response", resp, data)

    def post_error(self, request_id, error_type, body, xray_cause=None):
        headers = {"Content-Type": "application/json", ERROR_TYPE_HEADER: error_type}
        if xray_cause is not None and len(xray_cause) < 1024 * 1024:
            headers["Lambda-Runtime-Function-XRay-Error-Cause"] = xray_cause
        resp, data = self._call("POST", self._path(request_id, "error"), body, headers)
        self._check("POST /error", resp, data)

    def post_init_error(self, error_type, body):
        headers = {"Content-Type": "application/json", ERROR_TYPE_HEADER: error_type}
        resp, data = self._call("POST", self.PREFIX + "/init/error", body, headers)
        self._check("POST /init/error", resp, data)

    def close(self):
        if self._conn is not None:
            self._conn.close()


def make_transport(environ):
    fd = environ.pop("SLIPWAY_RUNTIME_FD", None)
    if fd:
        return FdTransport(int(fd))
    return HttpTransport(environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"))


# --------------------------------------------------------------------------------------------------
# Handler resolution


def get_handler(handler):
    """``module.function`` or ``dir/sub/module.function``, imported from sys.path (task root
    first). Failures raise FaultException with Lambda's error types and messages."""
    import importlib

    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(
            FaultException.MALFORMED_HANDLER_NAME, "Bad handler '%s': %s" % (handler, e)
        )
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                FaultException.BUILT_IN_MODULE_CONFLICT,
                "Cannot use built-in module %s as a handler module" % modname,
            )
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException(
            FaultException.IMPORT_MODULE_ERROR,
            "Unable to import module '%s': %s" % (modname, e),
        )
    except SyntaxError as e:
        raise FaultException(
            FaultException.USER_CODE_SYNTAX_ERROR,
            "Syntax error in module '%s': %s" % (modname, e),
            ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)],
        )
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException(
            FaultException.HANDLER_NOT_FOUND,
            "Handler '%s' missing on module '%s'" % (fname, modname),
        )


# --------------------------------------------------------------------------------------------------
# Start-up helpers


def setup_sys_path(environ):
    """Task root first (then PYTHONPATH's layer dirs, already on sys.path); never this directory,
    so user modules cannot be shadowed by (or shadow) the bootstrap's own files."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if not p or os.path.abspath(p) != here]
    task_root = environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    if not sys.path or sys.path[0] != task_root:
        sys.path.insert(0, task_root)


def setup_std_streams():
    """Line-buffered stdout/stderr: each line reaches Slipway as soon as it is complete; partial
    lines are flushed before every response (see flush_std_streams)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True, write_through=False)
        except (AttributeError, ValueError, OSError):
            pass


def flush_std_streams():
    try:
        sys.stdout.flush()
    except Exception:
        pass
    try:
        sys.stderr.flush()
    except Exception:
        pass


def maybe_install_endpoint_hook(environ):
    """SDK routing for botocore < 1.31 (which ignores AWS_ENDPOINT_URL); see
    slipway_endpoint_hook.py. Costs nothing unless the function imports botocore."""
    endpoint = environ.get("SLIPWAY_ENDPOINT_URL")
    if not endpoint:
        return
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location(
        "slipway_endpoint_hook", os.path.join(here, "slipway_endpoint_hook.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["slipway_endpoint_hook"] = module
    spec.loader.exec_module(module)
    module.install(endpoint)


def maybe_wait_for_debugger(environ):
    port = environ.get("SLIPWAY_DEBUG_PORT")
    if not port:
        return
    try:
        import debugpy
    except ImportError:
        sys.stderr.write(
            "slipway: SLIPWAY_DEBUG_PORT=%s is set but debugpy is not installed; add it to the "
            "function (pip install debugpy -t <code dir>) or to the Python running Slipway "
            "(python3 -m pip install debugpy) to debug. Continuing without a debugger.\n" % port
        )
        return
    debugpy.listen(("127.0.0.1", int(port)))
    sys.stderr.write("slipway: debugpy listening on 127.0.0.1:%s; waiting for the debugger\n" % port)
    debugpy.wait_for_client()


# --------------------------------------------------------------------------------------------------
# Main loop


def main():
    global _current_request_id, _current_tenant_id

    environ = os.environ
    transport = make_transport(environ)
    setup_std_streams()

    execution_env = environ.get("AWS_EXECUTION_ENV")
    encoder = LambdaJSONEncoder(ensure_ascii=_ensure_ascii_for(execution_env))
    log_format = "JSON" if (environ.get("AWS_LAMBDA_LOG_FORMAT") or "").upper() == "JSON" else "Text"
    log_error = make_error_logger(log_format, encoder)
    LambdaContext._static = {
        "log_group_name": environ.get("AWS_LAMBDA_LOG_GROUP_NAME"),
        "log_stream_name": environ.get("AWS_LAMBDA_LOG_STREAM_NAME"),
        "function_name": environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "memory_limit_in_mb": environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
        "function_version": environ.get("AWS_LAMBDA_FUNCTION_VERSION"),
    }

    error = None
    try:
        setup_logging(log_format, _log_level_from_env(environ.get("AWS_LAMBDA_LOG_LEVEL")), encoder)
        setup_sys_path(environ)
        maybe_install_endpoint_hook(environ)
        maybe_wait_for_debugger(environ)
        handler = get_handler(environ.get("_HANDLER", ""))
    except FaultException as e:
        error = make_error(e.msg, e.exception_type, e.trace)
    except Exception:
        error = error_from_exception(sys.exc_info())[0]

    if error is not None:
        # As Lambda: warn, log the error, report it, and exit(1). The next invoke starts a new
        # environment (which fails the same way unless the code was fixed).
        logging.warning(UNHANDLED_EXCEPTION_WARNING)
        log_error(error)
        flush_std_streams()
        try:
            transport.post_init_error(error["errorType"], encoder.encode(error).encode("utf-8"))
        finally:
            transport.close()
        sys.exit(1)

    encode = encoder.encode
    loads = loads_event
    nxt = transport.next
    post_response = transport.post_response
    flush = flush_std_streams
    Context = LambdaContext

    while True:
        headers, body, content_type = nxt()
        get = headers.get
        request_id = get("Lambda-Runtime-Aws-Request-Id")
        _current_request_id = request_id
        _current_tenant_id = get("Lambda-Runtime-Aws-Tenant-Id")
        trace_id = get("Lambda-Runtime-Trace-Id")
        if trace_id is not None:
            environ["_X_AMZN_TRACE_ID"] = trace_id
        elif "_X_AMZN_TRACE_ID" in environ:
            del environ["_X_AMZN_TRACE_ID"]

        error = xray = None
        try:
            deadline = get("Lambda-Runtime-Deadline-Ms")
            context = Context(
                request_id,
                int(deadline) if deadline else 0,
                get("Lambda-Runtime-Invoked-Function-Arn"),
                get("Lambda-Runtime-Client-Context"),
                get("Lambda-Runtime-Cognito-Identity"),
                _current_tenant_id,
            )
            if content_type is None or content_type.startswith("application/json"):
                try:
                    event = loads(body)
                except Exception as e:
                    raise FaultException(
                        FaultException.UNMARSHAL_ERROR, "Unable to unmarshal input: %s" % e
                    )
            else:
                event = body
            result = handler(event, context)
            if isinstance(result, bytes):
                payload, result_type = result, "application/unknown"
            else:
                try:
                    payload, result_type = encode(result).encode("utf-8"), "application/json"
                except Exception as e:
                    raise FaultException(
                        FaultException.MARSHAL_ERROR, "Unable to marshal response: %s" % e
                    )
        except FaultException as e:
            error = make_error(e.msg, e.exception_type, e.trace, request_id)
            xray = xray_cause("LambdaValidationError", e.msg, [])
        except Exception:
            error, frames = error_from_exception(sys.exc_info(), request_id)
            xray = xray_cause(error["errorType"], error["errorMessage"], frames)

        if error is None:
            flush()
            post_response(request_id, payload, result_type)
            continue

        log_error(error)
        flush()
        try:
            body = encode(error).encode("utf-8")
        except Exception:  # e.g. an exception message with lone surrogates
            body = json.dumps(error).encode("utf-8")
        try:
            xray_json = json.dumps(xray)
        except Exception:
            xray_json = None
        transport.post_error(request_id, error["errorType"], body, xray_json)


if __name__ == "__main__":
    try:
        main()
    except EOFError:
        # Slipway closed the channel: the environment is being shut down.
        flush_std_streams()
        sys.exit(0)
    except (ConnectionError, OSError) as e:
        flush_std_streams()
        sys.stderr.write("slipway bootstrap: lost the Runtime API: %s\n" % e)
        sys.exit(1)
