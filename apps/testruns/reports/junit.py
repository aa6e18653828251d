"""JUnit XML, in all the dialects CI tools actually write.

Covers ``<testsuites>``/``<testsuite>`` roots with arbitrarily nested suites (PHPUnit), pytest,
Jest/jest-junit, Mocha, Maven Surefire/Failsafe (``rerun*``/``flaky*`` children), Go
(go-junit-report, gotestsum), ScalaTest, Swift, Bazel, Catch2, CUnit, cargo-nextest, the .NET
JUnit logger, and the tools that write a test's verdict as an attribute: gtest
(``status="notrun" result="suppressed"``), CTest, C++ tst (``status="disabled"``), Qt Test's xunitxml
(``result="xfail"``)… — see ``fields.STATUS_WORDS``. An attribute that gives a verdict decides the
status, over the result children (which still give the message and text); one that only says the
test ran (``status="run"``, ``result="completed"``) leaves it to the children.

Only the testcase's own elements are read; suite-level counters are ignored on purpose —
one test is one ``<testcase>``.

The format is read by :class:`JUnitTarget`, an lxml *parser target*: libxml2 calls its
``start``/``data``/``end`` as it reads, and no element tree is ever built. JUnit is flat enough
for one pass, and skipping the tree (an element object per tag, an attribute lookup per value,
clearing what was read) is what keeps a 100 000-case report close to the XML parser's own speed.
:func:`parse` feeds the same target from a parsed tree, for files whose start could not tell
the format (see ``detect``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .base import ERROR, FAILED, PASSED, SKIPPED, ParsedCase, ReportLimits
from .fields import add_properties, attribute_verdict, local, parse_line, parse_seconds, release, truncate

# Result children, by severity: a testcase carrying several (some tools write
# <skipped/> + <failure/> + <error/>) takes the most severe one.
_RESULT_CHILDREN = {"error": (3, ERROR), "failure": (2, FAILED), "skipped": (1, SKIPPED)}
_RESULT_CHILDREN.update({name: (1, SKIPPED) for name in ("skip", "disabled", "ignored")})
# A case's <properties> (or a bare <property>, some tools); only then are its properties read.
_PROPERTY_CHILDREN = {"properties", "property"}
# Surefire writes one of these per extra attempt (rerunFailingTestsCount).
_RERUN_CHILDREN = {"rerunFailure": FAILED, "rerunError": ERROR}
_FLAKY_CHILDREN = {"flakyFailure", "flakyError"}
MEMO_LIMIT = 10_000
# With entities left unresolved (the safe setting), libxml2 hands a parser target every "&" of an
# attribute value as "&#38;"; nothing else is escaped, so this one replacement restores the value.
_AMPERSAND = "&#38;"
# The testcase attributes that may carry its verdict (gtest writes both), in the order they are read.
_STATUS_ATTRIBUTES = ("status", "result")


class _Children:
    """What the children of the open case said; made only for a case that has children.

    Class attributes are the defaults, so a case pays only for what its children carry.
    """

    rank = 0  # severity of the most severe result child so far
    # The first result child of each status: status -> (its attributes, its tag, its text).
    outcomes: dict[str, tuple[dict, str, list[str]]] | None = None
    rerun_status: str | None = None
    in_flaky = False  # a flakyFailure/flakyError is the open child
    flaky: dict | None = None  # attributes of the last flakyFailure/flakyError
    flaky_text: Sequence[str] = ()  # its own text (before its first child)
    stack_text: list[str] | None = None  # its first <stackTrace>, if any
    out: list[list[str]] | None = None  # the texts of each <system-out>
    err: list[list[str]] | None = None  # ... and <system-err>
    has_properties = False
    properties: list[tuple[str | None, str | None, list[str]]] | None = None  # name, value, text


class JUnitTarget:
    """lxml parser target turning JUnit callbacks into :class:`ParsedCase` objects.

    Finished cases accumulate in :attr:`cases` (the caller takes them after each chunk it feeds);
    :attr:`root` is the first element's local name. Texts are collected only where a case needs
    them: inside result, output, flaky and property elements.
    """

    def __init__(self, limits: ReportLimits):
        self.limits = limits
        self.cases: list[ParsedCase] = []
        self.root: str | None = None
        self._suites: list[tuple[str, str]] = []  # enclosing <testsuite>s: (name, inherited file)
        self._case: ParsedCase | None = None  # the open case
        self._attrib: dict = {}
        self._children: _Children | None = None
        self._depth = 0  # elements open below the open case
        self._interrupted: list[tuple] = []  # cases a nested <testcase> interrupted
        self._texts: list[tuple[int, list[str]]] = []  # open text collectors: (owner depth, chunks)
        # Memos of the "line" and "time" values read: a report repeats them thousands of times.
        self._lines: dict[str | None, int | None] = {}
        self._seconds: dict[str | None, float] = {}

    # -- lxml's callbacks --------------------------------------------------------------------------

    def start(self, tag: str, attrib: dict) -> None:
        if "}" in tag:
            tag = tag.rpartition("}")[2]
        if tag != "testcase":
            if self._case is not None:
                self._child_start(tag, attrib)
            elif tag == "testsuite":
                outer_file = self._suites[-1][1] if self._suites else ""
                self._suites.append((_value(attrib, "name"), _value(attrib, "file") or outer_file))
            if self.root is None:  # (a JUnit root is never a <testcase>)
                self.root = tag
            return
        # The hot path of a large report: attributes read once, nothing made that a case doesn't need.
        if self._case is not None:  # a <testcase> inside a <testcase>: read both
            self._interrupted.append((self._case, self._attrib, self._children, self._depth, self._texts))
            self._texts, self._children, self._depth = [], None, 0
        get = attrib.get
        classname, name, file = get("classname") or get("class") or "", get("name") or "", get("file")
        if "&" in classname or "&" in name or (file and "&" in file):
            classname, name = _unescape(classname), _unescape(name)
            file = file and _unescape(file)
        line, seconds = get("line"), get("time")
        line = self._lines[line] if line in self._lines else self._memo(self._lines, line, parse_line)
        duration = self._seconds.get(seconds)
        if duration is None:
            duration = self._memo(self._seconds, seconds, parse_seconds)
        suite, suite_file = self._suites[-1] if self._suites else ("", "")
        self._attrib = attrib
        self._case = ParsedCase(suite, classname, name, file or suite_file, line, PASSED, duration)

    def data(self, text: str) -> None:
        if self._texts:
            for _, chunks in self._texts:
                chunks.append(text)

    def end(self, tag: str) -> None:
        if "}" in tag:
            tag = tag.rpartition("}")[2]
        if tag == "testcase" and not self._depth:
            case, attrib = self._case, self._attrib
            verdict = None
            if "status" in attrib or "result" in attrib:
                verdict = attribute_verdict(attrib, _STATUS_ATTRIBUTES)
            if self._children is not None:
                _finish(case, self._children, verdict, self.limits)
                self._children = None
            elif verdict is not None and verdict[0] != PASSED:
                _apply_verdict(case, verdict, None, self.limits)
            self.cases.append(case)
            if self._interrupted:
                self._case, self._attrib, self._children, self._depth, self._texts = self._interrupted.pop()
            else:
                self._case = None
        elif self._case is not None:
            self._child_end()
        elif tag == "testsuite" and self._suites:
            self._suites.pop()

    def close(self) -> None:
        return None

    # -- cases -------------------------------------------------------------------------------------

    @staticmethod
    def _memo(memo: dict, value: str | None, parse):
        parsed = memo[value] = parse(value)
        if len(memo) > MEMO_LIMIT:  # all different (a hostile file?): no use keeping them
            memo.clear()
        return parsed

    def _child_start(self, tag: str, attrib: dict) -> None:
        depth = self._depth
        self._depth = depth + 1
        children = self._children
        if children is None:
            children = self._children = _Children()
        if depth == 1 and children.in_flaky:
            # A child of a flaky element ends the element's own text; its first <stackTrace> says more.
            self._texts = [entry for entry in self._texts if entry[1] is not children.flaky_text]
            if tag == "stackTrace" and children.stack_text is None:
                children.stack_text = self._collect()
        if tag == "property":
            value = attrib.get("value")
            if children.properties is None:
                children.properties = []
            children.properties.append((attrib.get("name") and _value(attrib, "name"),
                                        None if value is None else _unescape(value),
                                        self._collect() if value is None else []))
        if depth:
            return
        case = self._case
        if tag in _RESULT_CHILDREN:
            severity, status = _RESULT_CHILDREN[tag]
            outcomes = children.outcomes
            if outcomes is None:
                outcomes = children.outcomes = {}
            if status not in outcomes:
                outcomes[status] = (attrib, tag, self._collect())
            if severity > children.rank:
                children.rank, case.status = severity, status
        elif tag in _RERUN_CHILDREN:
            case.retries += 1
            if children.rerun_status != ERROR:
                children.rerun_status = _RERUN_CHILDREN[tag]
        elif tag in _FLAKY_CHILDREN:
            case.retries += 1
            children.in_flaky, children.flaky, children.stack_text = True, attrib, None
            children.flaky_text = self._collect()
        elif tag == "system-out":  # appended in place: copying the list per element was quadratic
            children.out = children.out or []
            children.out.append(self._collect())
        elif tag == "system-err":
            children.err = children.err or []
            children.err.append(self._collect())
        elif tag in _PROPERTY_CHILDREN:
            children.has_properties = True

    def _child_end(self) -> None:
        depth = self._depth
        self._depth = depth - 1
        if depth == 1 and self._children.in_flaky:
            self._children.in_flaky = False
        while self._texts and self._texts[-1][0] >= depth:
            self._texts.pop()

    def _collect(self) -> list[str]:
        """Start collecting the text of the element just opened (all of it, as ``itertext``)."""
        chunks: list[str] = []
        self._texts.append((self._depth, chunks))
        return chunks


def _finish(case: ParsedCase, children: _Children, verdict: tuple[str, str] | None, limits: ReportLimits) -> None:
    """Fill ``case`` from what its children said, once the case has ended; a ``verdict`` from its
    status attribute (see ``_apply_verdict``) has the last word."""
    if children.has_properties and children.properties:
        pairs = ((name, value if value is not None else "".join(text)) for name, value, text in children.properties)
        add_properties(case.properties, pairs, limits.max_output_bytes)
    if children.out is not None:
        case.system_out = _output(children.out, limits)
    if children.err is not None:
        case.system_err = _output(children.err, limits)
    if children.outcomes is not None:
        if verdict is not None and verdict[0] != case.status:
            # The child of the attribute's verdict describes the test, else the most severe one.
            child = children.outcomes.get(verdict[0]) or children.outcomes[case.status]
            _apply_verdict(case, verdict, child, limits)
            return
        attrib, tag, text = children.outcomes[case.status]
        _describe(case, attrib, "".join(text), limits)
        if case.status == SKIPPED and not case.failure_type and tag != "skipped":
            case.failure_type = tag
    elif children.rerun_status is not None:
        # Re-runs without a primary <failure>: every attempt failed, so the test did.
        case.status = children.rerun_status
    elif children.flaky is not None:
        # Surefire: failed attempt(s), then passed -> a flaky pass that keeps why it flaked.
        case.flaky = True
        text = children.stack_text if children.stack_text is not None else children.flaky_text
        _describe(case, children.flaky, "".join(text), limits)
    if verdict is not None and verdict[0] != case.status:
        _apply_verdict(case, verdict, None, limits)


def _output(elements: list[list[str]], limits: ReportLimits) -> str:
    # Several <system-out> elements (some tools write one per line) read as one text.
    text = "".join(elements[0]) if len(elements) == 1 else "\n".join("".join(chunks) for chunks in elements)
    return truncate(text, limits.max_output_bytes)


def _unescape(value: str) -> str:
    return value.replace(_AMPERSAND, "&") if "&" in value else value


def _value(attrib: dict, name: str) -> str:
    """An attribute's value as written in the report ("" if absent)."""
    return _unescape(attrib.get(name) or "")


def _apply_verdict(case: ParsedCase, verdict: tuple[str, str], child, limits: ReportLimits) -> None:
    """A verdict written as the test's status/result attribute decides its status, over the children.

    ``child`` (attributes, tag, text of a result child) gives the message and text: a gtest skip
    reason, a Qt failure message. With none, the attribute's word is the failure type. A pass written
    over result children (Qt 4 wrote qDebug() messages as <error> children of a result="pass" test)
    drops their failure fields: a passed test carries none.
    """
    case.status, word = verdict
    case.flaky = False  # flaky means "passed after failing"; this verdict is not that pass
    if case.status == PASSED:
        case.failure_type = case.failure_message = case.failure_text = ""
        return
    if child is not None:
        attrib, _, text = child
        _describe(case, attrib, "".join(text), limits)
    if not case.failure_type:
        case.failure_type = word


def _first_line(text: str) -> str:
    # Scans instead of splitlines(): a failure text can be megabytes of one stack trace.
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end].strip()
        if line:
            return line
        start = end + 1
    return ""


def _describe(case: ParsedCase, outcome: dict, text: str, limits: ReportLimits) -> None:
    # Several tools (Jest, Go) give no message attribute; its first line is what a reader
    # would look for in a list of failures.
    message = _value(outcome, "message") or _first_line(text)
    case.failure_type = _value(outcome, "type")
    case.failure_message = truncate(message, limits.max_message_bytes)
    case.failure_text = truncate(text, limits.max_output_bytes)


# -- the generic path ------------------------------------------------------------------------------

def parse(events, limits: ReportLimits) -> Iterator[ParsedCase]:
    """Cases from a parsed tree's (start, end) events: each ``<testcase>`` is replayed into a
    :class:`JUnitTarget` once it has ended (whole), suites as they open and close."""
    target = JUnitTarget(limits)
    inside = 0  # open elements of the case being parsed (its events wait for the replay)
    for event, element in events:
        tag = element.tag
        if not isinstance(tag, str):
            continue
        name = local(tag)
        if event == "start":
            if inside or name == "testcase":
                inside += 1
            else:
                target.start(tag, _as_pushed(element.attrib))
            continue
        if inside:
            inside -= 1
            if inside or name != "testcase":
                continue
            _replay(element, target)
        else:
            target.end(tag)
        release(element)
        if target.cases:
            yield from target.cases
            target.cases.clear()


def _as_pushed(attrib) -> dict:
    # A tree's attributes are already unescaped; a target expects them as libxml2 pushes them.
    return {name: value.replace("&", _AMPERSAND) if "&" in value else value for name, value in attrib.items()}


def _replay(element, target: JUnitTarget) -> None:
    target.start(element.tag, _as_pushed(element.attrib))
    if element.text:
        target.data(element.text)
    for item in element:
        if isinstance(item.tag, str):
            _replay(item, target)
        if item.tail:
            target.data(item.tail)
    target.end(element.tag)
