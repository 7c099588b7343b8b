"""Routes old AWS SDKs for Python to Slipway.

botocore learned to read ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_<SERVICE>`` in 1.31.0
(boto3 1.28.0). For older botocore, when ``SLIPWAY_ENDPOINT_URL`` is set the bootstrap calls
``install(url)``: a ``sys.meta_path`` finder waits (at no cost) until the function imports
``botocore.session`` and then makes every ``Session.create_client`` default ``endpoint_url`` to
that URL. An explicit ``endpoint_url=`` in user code still wins. Newer botocore is left alone.
"""

import sys

NATIVE_ENDPOINT_URL_SUPPORT = (1, 31, 0)  # botocore version that reads AWS_ENDPOINT_URL itself
TARGET = "botocore.session"


def version_tuple(text):
    parts = []
    for piece in str(text).split(".")[:3]:
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        parts.append(int(digits or 0))
    while len(parts) < 3:
        parts.append(0)
    return tuple(parts)


def needs_patch(botocore_version):
    return version_tuple(botocore_version) < NATIVE_ENDPOINT_URL_SUPPORT


def patch_session_module(module, endpoint_url, force=False):
    """Make ``module.Session.create_client`` default ``endpoint_url``. Returns True if patched."""
    botocore = sys.modules.get("botocore")
    version = getattr(botocore, "__version__", "0")
    session_class = getattr(module, "Session", None)
    if session_class is None or getattr(session_class, "_slipway_endpoint_url", None):
        return False
    if not force and not needs_patch(version):
        return False
    original = session_class.create_client

    def create_client(self, *args, **kwargs):
        # signature: (service_name, region_name, api_version, use_ssl, verify, endpoint_url, ...)
        if len(args) > 5:
            if args[5] is None:
                args = args[:5] + (endpoint_url,) + args[6:]
        elif kwargs.get("endpoint_url") is None:
            kwargs["endpoint_url"] = endpoint_url
        return original(self, *args, **kwargs)

    create_client.__wrapped__ = original
    create_client.__doc__ = original.__doc__
    session_class.create_client = create_client
    session_class._slipway_endpoint_url = endpoint_url
    return True


class _PatchingLoader(object):
    def __init__(self, loader, finder):
        self._loader = loader
        self._finder = finder

    def create_module(self, spec):
        create = getattr(self._loader, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module):
        self._loader.exec_module(module)
        patch_session_module(module, self._finder.endpoint_url, self._finder.force)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class EndpointHookFinder(object):
    """A meta path finder that only ever answers for ``botocore.session``, once."""

    def __init__(self, endpoint_url, force=False):
        self.endpoint_url = endpoint_url
        self.force = force

    def find_spec(self, fullname, path, target=None):
        if fullname != TARGET:
            return None
        for finder in list(sys.meta_path):
            if finder is self:
                continue
            find_spec = getattr(finder, "find_spec", None)
            if find_spec is None:
                continue
            spec = find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        try:
            sys.meta_path.remove(self)
        except ValueError:
            pass
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _PatchingLoader(spec.loader, self)
        return spec


def install(endpoint_url, force=False):
    """Arrange for old botocore to default to ``endpoint_url``; ``force`` patches any version
    (tests)."""
    module = sys.modules.get(TARGET)
    if module is not None:
        return patch_session_module(module, endpoint_url, force)
    finder = EndpointHookFinder(endpoint_url, force)
    sys.meta_path.insert(0, finder)
    return finder
