"""The tenant-template sandbox itself: what runs inside a worker process.

Tenant templates are compiled only from their stored strings, in an
`ImmutableSandboxedEnvironment` with no loader (include/extends/import are
refused at validation and could not load anything anyway), strict undefined
values, a plain-dict context, capped `*` / `**` (`intercepted_binops`, which also
keeps them out of compile-time constant folding) and a capped `range`. Only the
capped `range` is global: lipsum, cycler, joiner, namespace and dict are gone, as
are the `attr` and `safe` filters. Attribute access is limited to a short list of
harmless str/list/dict methods.

Escaping is not the template's to change: values from the interview (names,
topics, missed points) are written by candidates, interviewers and ATS imports,
so an HTML part always escapes them. That is why `safe` is gone, why
`{% autoescape %}` is refused at validation, and why the edits that could cut
an escape apart in text already escaped (markup, e.g. `{{ name|e }}`, a
`{% set %}` block) are refused: slicing it, `.split()`, `.splitlines()`,
`.strip()`/`.lstrip()`/`.rstrip()` and the `trim` filter with characters to
remove, `.replace()`, and the `reverse` filter (reversed, `truncate` cuts the
front off: `&lt;` and all); the `replace` filter always escapes what it inserts.
Markup a template makes itself (a `{% set %}` block, a macro, `paragraphs`)
only ever holds the template's own HTML or escaped values.

What escaping cannot do is choose where a value goes: it keeps a value text in
element content and in quoted attribute values, which is where the built-in
templates put them. A tenant's HTML that places a value inside its own tag
(`<{{ topic }}>`, an unquoted attribute) or in a URL attribute
(`href="{{ topic }}"`, which may be `javascript:`) makes that value markup or
script, as it would in any autoescaping engine: the HTML part is the tenant's
own HTML, and what it does with the values is the tenant's to get right.

Only data is printed (`finalize_tenant`), and nothing else is turned into text
either: functions and methods (`range`, `topics.index`) and the iterators some
filters return (`map`, `select`, ...) are wrapped so that `|string`, `|pprint`,
`~`, `%` or `|format` refuse them instead of printing an object's repr with a
memory address.

The worker process adds what a sandbox cannot: a wall-clock limit (the parent
kills the worker), an address-space limit (`RLIMIT_AS`, so a runaway allocation
is a MemoryError here, not a swapping host) and a streamed output cap.
Compiled templates are cached by content hash.
"""

from __future__ import annotations

import functools
import hashlib
import re
import signal
import traceback
import types
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes, pass_eval_context
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.filters import do_replace, do_reverse, do_trim
from jinja2.nodes import EvalContext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from app.messages.environment import paragraphs, refuse_none
from app.messages.variables import TEMPLATE_GLOBALS, VARIABLES

MAX_SOURCE_BYTES = 64 * 1024
MAX_OUTPUT_BYTES = 256 * 1024
MAX_REPEAT = 64 * 1024  # items or characters produced by sequence * int
MAX_EXPONENT = 256
MAX_INT_BITS = 4096
MAX_RANGE = 1000
MEMORY_LIMIT_BYTES = 512 * 1024 * 1024
CACHE_SIZE = 256

KNOWN_NAMES = frozenset(VARIABLES) | TEMPLATE_GLOBALS
FIELDS = ("subject", "text", "html")

_SAFE_METHODS: dict[type, frozenset[str]] = {
    str: frozenset(
        {"upper", "lower", "title", "capitalize", "strip", "lstrip", "rstrip", "split", "splitlines",
         "startswith", "endswith", "replace", "count", "find", "isdigit", "isalpha", "isupper", "islower"}
    ),
    list: frozenset({"index", "count"}),
    tuple: frozenset({"index", "count"}),
    dict: frozenset({"items", "keys", "values", "get"}),
}
_REMOVED_FILTERS = ("attr", "safe")
_REFUSED_ATTRIBUTES = frozenset({"format", "format_map"})
#: Methods of escaped text (Markup) that could turn it back into raw HTML: replace keeps
#: markup arguments raw; the split family cuts an escape (`&lt;`) apart, leaving markup.
_REFUSED_MARKUP_METHODS = frozenset({"replace", "split", "rsplit", "splitlines", "partition", "rpartition"})
#: ... and these only when given characters to remove (`.lstrip('&lt;')` removes an escape).
_MARKUP_STRIP_METHODS = frozenset({"strip", "lstrip", "rstrip"})
_NOT_TEXT = "functions, methods and iterators cannot be turned into text in templates"
#: Half of a UTF-16 pair, which a string literal's escape (`'\\ud800'`) or `'%c' % 55296` makes:
#: no encoding writes it, so a message holding one could be neither answered nor sent.
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_TEXT = "a lone surrogate ({}) is not a character: no message can carry it"


class OutputTooLarge(Exception):
    """The output or an intermediate value passed a cap."""


def capped_range(*args: int) -> range:
    """`range` limited to MAX_RANGE items (the sandbox's own cap is 100,000)."""
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise OutputTooLarge(f"range() is limited to {MAX_RANGE} items in templates")
    return rng


def _check_mul(left: Any, right: Any) -> None:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, (str, list, tuple)) and isinstance(times, int):
            if len(seq) * max(times, 0) > MAX_REPEAT:
                raise OutputTooLarge(f"repetition is limited to {MAX_REPEAT} characters or items")
            return
    if isinstance(left, int) and isinstance(right, int):
        if abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
            raise OutputTooLarge("numbers in templates are limited in size")


def _check_pow(left: Any, right: Any) -> None:
    if isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
        raise OutputTooLarge(f"exponents are limited to {MAX_EXPONENT}")
    if isinstance(left, int) and isinstance(right, int) and abs(left).bit_length() * abs(right) > MAX_INT_BITS:
        raise OutputTooLarge("numbers in templates are limited in size")


_PRINTABLE = (str, int, float)


def _printable(value: Any, depth: int = 0) -> bool:
    if isinstance(value, _PRINTABLE):
        return True
    if isinstance(value, (list, tuple)) and depth < 4:
        return all(_printable(item, depth + 1) for item in value)
    if isinstance(value, dict) and depth < 4:
        return all(_printable(k, depth + 1) and _printable(v, depth + 1) for k, v in value.items())
    return False


def finalize_tenant(value: Any) -> Any:
    """Print only data (text, numbers, lists of them): never a function or an object."""
    value = refuse_none(value)
    if not _printable(value):
        raise SecurityError("only text and numbers can be printed in templates")
    return value


class _Opaque:
    """Wraps a value a template may use but never print: any conversion to text refuses."""

    __slots__ = ("wrapped",)

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped

    def __str__(self) -> str:
        raise SecurityError(_NOT_TEXT)

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        raise SecurityError(_NOT_TEXT)

    def __html__(self) -> str:
        raise SecurityError(_NOT_TEXT)


class _Function(_Opaque):
    """A function or method: callable (through the sandbox's `call`), never text."""

    __slots__ = ()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.wrapped(*args, **kwargs)


class _Iterator(_Opaque):
    """An iterator a filter returned (`map`, `select`...): iterable, never text."""

    __slots__ = ()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.wrapped)

    def __next__(self) -> Any:
        return next(self.wrapped)


_FUNCTION_TYPES = (types.FunctionType, types.MethodType, types.BuiltinFunctionType, types.BuiltinMethodType,
                   types.MethodWrapperType, functools.partial)


def _opaque(value: Any) -> Any:
    if isinstance(value, _FUNCTION_TYPES):
        return _Function(value)
    if isinstance(value, Iterator) and not isinstance(value, _Opaque):
        return _Iterator(value)
    return value


def _guarded_filter(func: Any) -> Any:
    """A filter whose iterator (or function) result cannot be printed; pass_* markers kept."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return _opaque(func(*args, **kwargs))

    return wrapper


@pass_eval_context
def trim_text(eval_ctx: EvalContext, value: Any, chars: str | None = None) -> Any:
    """The `trim` filter; refuses removing characters from escaped text (it could cut `&lt;` apart)."""
    if chars is not None and isinstance(value, Markup):
        raise SecurityError("trim with characters to remove is not allowed on escaped text")
    return do_trim(value, chars)


def reverse_text(value: Any) -> Any:
    """The `reverse` filter; refuses escaped text. Reversed, an escaped value's front is its
    end, which `truncate` cuts: reversed again, `&lt;img ...` has lost its `&lt;` and a `<`
    the template prints before it makes the rest a tag."""
    if isinstance(value, Markup):
        raise SecurityError("reversing escaped text is not allowed: it could cut an escape apart")
    return do_reverse(value)


@pass_eval_context
def replace_text(eval_ctx: EvalContext, value: Any, old: Any, new: Any, count: int | None = None) -> Any:
    """The `replace` filter, with `old` and `new` always taken as text, never as markup.

    What it inserts into escaped text is escaped too. Jinja's own filter inserts
    markup passed as `new` unescaped, so `{% set lt %}<{% endset %}` and
    `name|e|replace(escaped_lt, lt)` would undo the escaping of a user-supplied
    name: the `safe` filter by another route.
    """
    return do_replace(eval_ctx, value, str(old), str(new), count)


class _TenantCodeGenerator(CodeGenerator):
    """Jinja's code, but a slice (`x[1:]`) goes through `environment.getitem` like an index.

    Jinja writes slices as plain Python subscripts, past the sandbox; the tenant
    environment refuses slicing escaped text (it could cut an escape apart).
    """

    @optimizeconst
    def visit_Getitem(self, node: nodes.Getitem, frame: Frame) -> None:
        if not isinstance(node.arg, nodes.Slice):
            super().visit_Getitem(node, frame)
            return
        self.write("environment.getitem(")
        self.visit(node.node, frame)
        self.write(", slice(")
        for index, part in enumerate((node.arg.start, node.arg.stop, node.arg.step)):
            if index:
                self.write(", ")
            if part is None:
                self.write("None")
            else:
                self.visit(part, frame)
        self.write("))")


class TenantEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox tenant templates compile in (no loader, capped operators)."""

    intercepted_binops = frozenset({"*", "**"})
    code_generator_class = _TenantCodeGenerator

    def __init__(self, *, autoescape: bool) -> None:
        super().__init__(
            loader=None,
            undefined=StrictUndefined,
            autoescape=autoescape,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=finalize_tenant,
            cache_size=0,
        )
        self.globals.clear()
        self.globals["range"] = _Function(capped_range)
        for name in _REMOVED_FILTERS:
            self.filters.pop(name, None)
        self.filters["paragraphs"] = paragraphs
        self.filters["replace"] = replace_text
        self.filters["trim"] = trim_text
        self.filters["reverse"] = reverse_text
        for name, func in self.filters.items():
            self.filters[name] = _guarded_filter(func)

    def getattr(self, obj: Any, attribute: str) -> Any:
        return _opaque(super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Markup) and isinstance(argument, slice):
            raise SecurityError("slicing escaped text is not allowed: it could cut an escape apart")
        return _opaque(super().getitem(obj, argument))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - as the sandbox's
        if isinstance(__obj, _Function):
            __obj = __obj.wrapped
        if (
            (args or kwargs)
            and isinstance(getattr(__obj, "__self__", None), Markup)
            and getattr(__obj, "__name__", None) in _MARKUP_STRIP_METHODS
        ):
            raise SecurityError(f".{__obj.__name__}() with characters to remove is not allowed on escaped text")
        return _opaque(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _check_mul(left, right)
        elif operator == "**":
            _check_pow(left, right)
        return super().call_binop(context, operator, left, right)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, _Opaque):
            return False  # a wrapper's own attributes (`range.wrapped`) are not the template's
        if isinstance(obj, Markup) and attr in _REFUSED_MARKUP_METHODS:
            return False  # Markup.replace keeps markup arguments raw: it could unescape a value
        for kind, allowed in _SAFE_METHODS.items():
            if isinstance(obj, kind):
                return attr in allowed and super().is_safe_attribute(obj, attr, value)
        if isinstance(obj, (int, float, bool, bytes, type(None))):
            return False
        return super().is_safe_attribute(obj, attr, value)


_ENVIRONMENTS: dict[bool, TenantEnvironment] = {}


def environment(*, html: bool) -> TenantEnvironment:
    env = _ENVIRONMENTS.get(html)
    if env is None:
        env = _ENVIRONMENTS[html] = TenantEnvironment(autoescape=html)
    return env


_REFUSED_NODES: tuple[tuple[type[nodes.Node], str], ...] = (
    (nodes.Extends, "{% extends %} is not allowed in templates"),
    (nodes.Include, "{% include %} is not allowed in templates"),
    (nodes.Import, "{% import %} is not allowed in templates"),
    (nodes.FromImport, "{% from ... import %} is not allowed in templates"),
    # ScopedEvalContextModifier ({% autoescape %}) is a subclass: one entry covers both.
    (
        nodes.EvalContextModifier,
        "{% autoescape %} is not allowed in templates: the HTML part always escapes values "
        "(names and topics come from other people), the text part never does",
    ),
)


def static_errors(ast: nodes.Template) -> list[str]:
    """Constructs refused before anything runs: includes, private attributes, `self`,
    and `{% autoescape %}` (it would print user-supplied values as raw HTML)."""
    errors: list[str] = []
    for node_type, message in _REFUSED_NODES:
        for node in ast.find_all(node_type):
            errors.append(f"line {node.lineno}: {message}")
    for node in ast.find_all(nodes.Getattr):
        if node.attr.startswith("_"):
            errors.append(f"line {node.lineno}: attribute {node.attr!r} is not allowed (names starting with '_')")
        elif node.attr in _REFUSED_ATTRIBUTES:
            errors.append(f"line {node.lineno}: .{node.attr}() is not allowed; use the 'format' filter")
    for node in ast.find_all(nodes.Getitem):
        if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str) and node.arg.value.startswith("_"):
            errors.append(f"line {node.lineno}: item {node.arg.value!r} is not allowed (names starting with '_')")
    for node in ast.find_all(nodes.Const):
        if isinstance(node.value, str) and (found := _SURROGATE.search(node.value)):
            errors.append(f"line {node.lineno}: {_SURROGATE_TEXT.format(_escaped(found.group()))}")
    for node in ast.find_all(nodes.Name):
        if node.name == "self":
            errors.append(f"line {node.lineno}: 'self' is not available in templates")
    return errors


def _escaped(char: str) -> str:
    return char.encode("unicode-escape").decode("ascii")


def _clean(message: str) -> str:
    """An error message fit to show a tenant: no object reprs, bounded length."""
    message = re.sub(r"<[^<>]{0,200}>", "<object>", message)
    return message[:300]


def _template_line(exc: BaseException) -> int | None:
    line = getattr(exc, "lineno", None)
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == "<template>":
            line = lineno
    return line


def describe(exc: BaseException) -> str:
    """'line N: what went wrong' for a compile or render error."""
    line = _template_line(exc)
    if isinstance(exc, (TemplateError, SecurityError, OutputTooLarge)):
        text = exc.message if isinstance(exc, TemplateError) and exc.message else str(exc)
    elif isinstance(exc, RecursionError):
        text = "recursion too deep"
    else:
        text = f"{type(exc).__name__}: {exc}"
    text = _clean(text)
    return f"line {line}: {text}" if line else text


class Compiled:
    __slots__ = ("template", "errors", "cacheable")

    def __init__(self, template: Any, errors: list[str], *, cacheable: bool = True) -> None:
        self.template = template
        self.errors = errors
        self.cacheable = cacheable


_CACHE: OrderedDict[tuple[bool, str], Compiled] = OrderedDict()


def compile_field(source: str, *, html: bool) -> Compiled:
    """Parse, check and compile one template part (cached by content hash)."""
    key = (html, hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest())
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    compiled = _compile(source, html=html)
    if compiled.cacheable:
        _CACHE[key] = compiled
        if len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return compiled


#: Python's own compiler allows 20 nested loops/try/with blocks and 100 levels of
#: indentation; Jinja's `{% for %}` and `{% if %}` nest Python blocks, so a template
#: nested deeper is valid Jinja that Python cannot compile.
TOO_DEEP = (
    "blocks nested too deeply: Python cannot compile this many nested {% for %}, {% if %} or "
    "{% macro %} blocks; nest fewer"
)
TOO_COMPLEX = "the template is too large or too deeply nested to compile; simplify it"


def _compile(source: str, *, html: bool) -> Compiled:
    if len(source.encode("utf-8", "surrogatepass")) > MAX_SOURCE_BYTES:
        return Compiled(None, [f"the template is larger than {MAX_SOURCE_BYTES // 1024} KiB"])
    try:
        return _parse_and_compile(source, html=html)
    except SyntaxError:  # IndentationError included: Python's limits, not the template's syntax
        return Compiled(None, [TOO_DEEP])
    except RecursionError:
        return Compiled(None, [TOO_COMPLEX])
    except MemoryError:  # may be a passing shortage: not remembered
        return Compiled(None, [TOO_COMPLEX], cacheable=False)


def _parse_and_compile(source: str, *, html: bool) -> Compiled:
    env = environment(html=html)
    try:
        ast = env.parse(source)
    except TemplateSyntaxError as exc:
        return Compiled(None, [f"line {exc.lineno}: {_clean(exc.message or 'syntax error')}"])
    errors = static_errors(ast)
    if errors:
        return Compiled(None, errors)
    try:
        unknown = meta.find_undeclared_variables(ast) - KNOWN_NAMES
        if unknown:
            names = ", ".join(sorted(unknown))
            known = ", ".join(sorted(KNOWN_NAMES))
            return Compiled(None, [f"unknown variable(s): {names}; known variables are: {known}"])
        template = env.from_string(ast)
    except OutputTooLarge as exc:
        return Compiled(None, [describe(exc)])
    except (TemplateError, SecurityError, ValueError, TypeError, OverflowError, ArithmeticError) as exc:
        return Compiled(None, [describe(exc)])
    return Compiled(template, [])


def validate(fields: dict[str, str | None]) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    for field in FIELDS:
        source = fields.get(field)
        if source is not None:
            errors += [(field, message) for message in compile_field(source, html=field == "html").errors]
    return errors


def render(fields: dict[str, str | None], context: dict[str, Any]) -> dict[str, str | None]:
    """Render every part, streaming, and stop as soon as the output passes the cap."""
    errors = validate(fields)
    if errors:
        raise _Invalid(errors)
    out: dict[str, str | None] = {}
    total = 0
    for field in FIELDS:
        source = fields.get(field)
        if source is None:
            out[field] = None
            continue
        template = compile_field(source, html=field == "html").template
        chunks: list[str] = []
        try:
            for chunk in template.generate(context):
                total += len(chunk) if chunk.isascii() else len(chunk.encode("utf-8", "surrogatepass"))
                if total > MAX_OUTPUT_BYTES:
                    raise OutputTooLarge(f"the rendered message is larger than {MAX_OUTPUT_BYTES // 1024} KiB")
                chunks.append(chunk)
        except OutputTooLarge:
            raise
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - any render failure is the template's
            raise _Invalid([(field, describe(exc))]) from None
        text = "".join(chunks)
        if found := _SURROGATE.search(text):
            raise _Invalid([(field, _SURROGATE_TEXT.format(_escaped(found.group())))])
        out[field] = text
    return out


class _Invalid(Exception):
    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


#: Sent once the worker can take jobs: its start-up is not charged to the first job's time limit.
READY = ("ready", None, False)


def handle(op: str, payload: Any) -> tuple[Any, ...]:
    """Run one job; the answer is `(status, value, recycle_worker)`."""
    try:
        if op == "validate":
            return ("ok", validate(payload), False)
        if op == "render":
            fields, context = payload
            return ("ok", render(fields, context), False)
        if op == "ping":
            return ("ok", None, False)
        return ("error", f"unknown operation {op!r}", False)
    except _Invalid as exc:
        return ("invalid", exc.errors, False)
    except OutputTooLarge as exc:
        return ("too_large", str(exc), False)
    except MemoryError:
        return ("too_large", "the template needs more memory than the sandbox allows", True)
    except RecursionError:
        return ("invalid", [("template", "recursion too deep")], True)
    except Exception as exc:  # noqa: BLE001 - a bug here must not kill the worker mid-answer
        # An answer, not a dead worker (which the client would see as "exhausted the
        # sandbox's resources"); the worker is replaced all the same, its state unknown.
        return ("invalid", [("template", f"the template could not be processed ({describe(exc)})")], True)


def _limit_resources() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    except (ImportError, ValueError, OSError):  # pragma: no cover - platform dependent
        pass


def worker_main(conn: Any) -> None:
    """Entry point of a worker process: answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limit_resources()
    environment(html=False)
    environment(html=True)
    try:
        conn.send(READY)
    except (OSError, ValueError):
        return
    while True:
        try:
            op, payload = conn.recv()
        except (EOFError, OSError):
            return
        answer = handle(op, payload)
        try:
            conn.send(answer)
        except (OSError, ValueError):
            return
        if answer[2]:
            return
