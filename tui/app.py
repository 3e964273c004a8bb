"""The terminal debugger: a Textual app over a :class:`DebugSession`.

Panes: the source (current line, breakpoints, a cursor), the instances and their variables, the
timeline, the workflow graph, the pending timers and the watch expressions, over a status line. A wide terminal shows
them all at once; a small one (80x24) shows the source over one other pane at a time, picked by
tabs or the number keys. The session does the debugging: every key calls one of its methods,
in a worker thread (a long ``continue`` keeps the screen alive and can be paused), and the
panes are redrawn from what it answers when the motion stops.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.widgets import Footer, Static, Tab, Tabs
from textual.worker import Worker, WorkerState

from coordlang.analysis import WorkflowGraph, analyze_file, graph_at, node_at, workflow_graphs
from coordlang.errors import CoordError
from coordlang.runtime.debug import ERROR_FILTERS, DebugSession, Stop
from coordlang.source import LineIndex
from coordlang.tui.breakpoints import BreakpointBook
from coordlang.tui.convert import clock_text, location_offset, stop_text
from coordlang.tui.graph_view import GraphView
from coordlang.tui.screens import DiffScreen, GotoScreen, HelpScreen, PromptScreen
from coordlang.tui.source import SourceView
from coordlang.tui.timeline import TimelinePane
from coordlang.tui.timers import TimersTable
from coordlang.tui.variables import InstancesTree
from coordlang.tui.watch import WatchTable

COMPACT_BELOW = (110, 30)
"""A terminal narrower or lower than this (columns, rows) gets the compact layout."""
SIDE_PANES = ("variables", "timeline", "graph", "timers", "watch")
"""The panes that share the space under the source in the compact layout, as tabs."""
PANE_KEYS = ("source",) + SIDE_PANES
"""The panes the keys 1 to 6 go to."""
MOTIONS = {"step_over": "step over", "step_in": "step into", "step_out": "step out", "step_back": "step back",
           "continue_": "continue", "reverse_continue": "reverse continue", "restart": "restart"}
"""The session's motions a key calls (``motion('step_over')``), and how the status line names
each while it runs."""


class Panes(Container):
    """The panes' container; compact when the terminal is small. (Resize events reach the
    widget whose size changed, not the app, so the container sees the terminal change.)

    The wide layout gives the watch pane a row of its own only while it is wanted (there are
    watches, or its key was pressed): the graph and the timers keep their height otherwise."""

    watching = False

    def on_resize(self) -> None:
        width, height = self.app.size
        self.set_class(width < COMPACT_BELOW[0] or height < COMPACT_BELOW[1], "-compact")
        self.place_watch()

    def place_watch(self) -> None:
        wide_watch = self.watching and not self.has_class("-compact")
        self.set_class(wide_watch, "-watching")
        self.query_one("#watch").set_class(not self.watching and not self.has_class("-compact"), "-idle")


class DebuggerApp(App[int]):
    """``coord debug``: drive ``session`` from the keyboard."""

    TITLE = "coord debug"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #main {
        layout: grid;
        grid-size: 2 3;
        grid-columns: 3fr 2fr;
        grid-rows: 2fr 1fr 1fr;
    }
    #timeline { row-span: 2; }
    #main.-watching { grid-size: 2 4; grid-rows: 3fr 1fr 1fr 1fr; }
    #main.-watching #timeline { row-span: 3; }
    #watch.-idle { display: none; }
    .pane { height: 1fr; scrollbar-size-vertical: 1; }
    #tabs { display: none; }
    .pane { border: round $panel-lighten-2; border-title-color: $text-muted; }
    .pane:focus, .pane:focus-within { border: round $accent; border-title-color: $text; }
    #status { height: 1; background: $panel; color: $text; padding: 0 1; }
    #status.-busy { background: $warning 40%; }
    #status.-error { background: $error 50%; }

    #main.-compact { layout: vertical; }
    #main.-compact #source { height: 1fr; }
    #main.-compact #tabs { display: block; }
    #main.-compact .side { display: none; height: 8; border: none; }
    #main.-compact .side.-shown { display: block; }
    """
    BINDINGS = [
        Binding("n,f10", "motion('step_over')", "Step", key_display="n"),
        Binding("s,f11", "motion('step_in')", "Into", key_display="s"),
        Binding("o,shift+f11", "motion('step_out')", "Out", key_display="o"),
        Binding("b,shift+f10", "motion('step_back')", "Back", key_display="b"),
        Binding("c,f5", "motion('continue_')", "Cont", key_display="c"),
        Binding("r", "motion('reverse_continue')", "Rev"),
        Binding("space,f9", "toggle_breakpoint", "Break", key_display="spc"),
        Binding("C", "condition", "Condition on the cursor's line", show=False),
        Binding("e", "event_breakpoint", "Event breakpoint", show=False),
        Binding("E", "error_breakpoint", "Error breakpoint", show=False),
        Binding("j", "jump", "Jump"),
        Binding("g", "goto", "Go to step", show=False),
        Binding("slash", "filter", "Filter the timeline", show=False),
        Binding("R", "motion('restart')", "Restart", show=False),
        Binding("p", "pause", "Pause a running motion", show=False),
        Binding("1", "pane('source')", "Source pane", show=False),
        Binding("2", "pane('variables')", "Instances and variables pane", show=False),
        Binding("3", "pane('timeline')", "Timeline pane", show=False),
        Binding("4", "pane('graph')", "Graph pane", show=False),
        Binding("5", "pane('timers')", "Timers pane", show=False),
        Binding("6", "pane('watch')", "Watch pane", show=False),
        Binding("w", "add_watch", "Watch an expression", show=False),
        Binding("m", "mark", "Mark this position", show=False),
        Binding("d", "diff", "Diff the mark and here", show=False),
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]
    HELP = {
        "motion('step_over')": "step over: the next statement of this instance",
        "motion('step_in')": "step into: the next stop, in any instance (a called workflow too)",
        "motion('step_out')": "step out: until this instance ends, back in its caller",
        "motion('step_back')": "step back: the stop before this one",
        "motion('continue_')": "continue: to the next breakpoint or the end",
        "motion('reverse_continue')": "reverse continue: back to the last breakpoint, or the start",
        "toggle_breakpoint": "toggle a breakpoint at the source cursor's line",
        "condition": "set or edit the condition of the breakpoint at the cursor's line",
        "event_breakpoint": "stop before events of a type (TYPE [if CONDITION]); again: no longer",
        "error_breakpoint": "stop on errors (uncaught or caught [KIND ...]); the same again: no longer",
        "jump": "jump: the timeline, at the next entry (Enter on an entry goes there)",
        "goto": "go to a step number",
        "filter": "filter the timeline (words, event:NAME, key:VALUE, kind:K)",
        "motion('restart')": "restart: back to step 0",
        "pause": "pause a running continue",
        "add_watch": "watch an expression (evaluated again at every stop)",
        "mark": "mark this position (for d)",
        "diff": "what differs between the marked position and here",
        "help": "this help",
        "quit": "quit",
    }
    PANE_HELP = [
        ("source", [("Up Down PgUp PgDn", "move the cursor line"), ("Home End", "first / last line"),
                    (".", "cursor to the current line")]),
        ("timeline", [("Up Down", "move"), ("Enter", "go to the entry (the state just before it)"),
                      ("Escape", "from the filter back to the entries")]),
        ("variables", [("Enter Space", "open or close an instance, scope or value")]),
        ("watch", [("Up Down", "move"), ("Delete x", "stop watching the expression")]),
    ]

    def __init__(self, session: DebugSession) -> None:
        super().__init__()
        self.session = session
        self.busy = False
        self.error: str | None = None
        self.breakpoints = BreakpointBook()
        self._analyses: dict[Path, tuple[LineIndex, tuple[WorkflowGraph, ...]]] = {}
        self._shown_path: Path = session.path
        self._graph: WorkflowGraph | None = None
        self.watches: list[str] = []
        """The watch expressions, in the order they were added."""
        self.mark: int | None = None
        """The position ``m`` marked, that ``d`` compares with."""

    def compose(self) -> ComposeResult:
        with Panes(id="main"):
            yield SourceView(id="source", classes="pane")
            yield Tabs(*(Tab(name, id=f"tab-{name}") for name in SIDE_PANES), id="tabs")
            yield InstancesTree(id="variables", classes="pane side -shown")
            yield TimelinePane(id="timeline", classes="pane side")
            yield GraphView(id="graph", classes="pane side")
            yield TimersTable(id="timers", classes="pane side")
            yield WatchTable(id="watch", classes="pane side")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#variables").border_title = "instances"
        self.query_one("#timeline").border_title = "timeline"
        self.query_one("#timers").border_title = "timers"
        self.query_one("#watch").border_title = "watch (w adds)"
        self.query_one(Panes).on_resize()
        self.query_one(SourceView).focus()
        self.show_stop()

    # ---- redrawing from the session
    def show_stop(self) -> None:
        """Redraw every pane from the session's current position."""
        session = self.session
        location = session.location()
        instance = session.current_instance
        if instance is None:
            instance = session.last_stop.instance
        if location is not None and location.path is not None:
            self._shown_path = location.path
        source = self.query_one(SourceView)
        source.show(self._shown_path.name, session.source(self._shown_path) or "")
        here = location is not None and location.path == self._shown_path and location.line > 0
        source.current = location.line - 1 if here else None
        self._show_breakpoints()
        self._show_graph(location)
        instances = session.instances()
        self.query_one(InstancesTree).show(instances, instance, session.scopes)
        self.query_one(TimersTable).show(session.pending_timers(), _finite(session.clock),
                                         {view.id: view.name for view in instances})
        self.query_one(TimelinePane).show(session.timeline(unreached=True), session.position)
        self._show_watch()
        self._show_status()

    def _show_watch(self) -> None:
        """The watch expressions, in the instance the session stands in (or stopped in last)."""
        instance = self.session.current_instance
        if instance is None:
            instance = self.session.last_stop.instance
        if instance is not None and instance not in self.session.state.instances:
            instance = None
        self.query_one(WatchTable).show(self.session.watch(self.watches, instance))

    def _graphs(self, path: Path) -> tuple[LineIndex, tuple[WorkflowGraph, ...]] | None:
        """A program file's line index and workflow graphs (analyzed once per file)."""
        if path not in self._analyses:
            text = self.session.source(path)
            if text is None:
                return None
            analysis = analyze_file(path, text)
            self._analyses[path] = (analysis.lines, workflow_graphs(analysis))
        return self._analyses[path]

    def _show_graph(self, location) -> None:
        graph = node = None
        found = self._graphs(location.path) if location is not None and location.path is not None else None
        if found is not None and location.line > 0:
            lines, graphs = found
            offset = location_offset(lines, location.line, location.column)
            graph = graph_at(graphs, offset)
            node = node_at(graph, offset) if graph is not None else None
        if graph is None:  # between instances: the graph shown last, or the program's first
            graph = self._graph
            if graph is None:
                graphs = (self._graphs(self.session.path) or (None, ()))[1]
                graph = graphs[0] if graphs else None
        self._graph = graph
        self.query_one(GraphView).show(graph, node.id if node is not None else None)

    def _show_status(self, running: str | None = None, pausable: bool = True) -> None:
        status = self.query_one("#status", Static)
        status.set_class(running is not None, "-busy")
        status.set_class(self.error is not None and running is None, "-error")
        session = self.session
        mark = f" (mark {self.mark})" if self.mark is not None else ""
        head = f"step {session.position}{mark} │ {clock_text(_finite(session.clock))} │ "
        if running is not None:
            tail = f"{running}… (p pauses)" if pausable else f"{running}…"
        elif self.error is not None:
            tail = f"error: {self.error}"
        else:
            tail = stop_text(session.last_stop)
        status.update(Text(head + tail, no_wrap=True, overflow="ellipsis"))

    # ---- motions
    def _motion(self, name: str, call: Callable[[], Stop]) -> None:
        if self.busy:
            self.notify("the session is running: p pauses it", severity="warning")
            return
        self.busy = True
        self.error = None
        self._show_status(running=name)

        def work() -> Stop | CoordError:
            try:
                return call()
            except CoordError as exc:  # a session that cannot go on says why; a bug stops the app
                return exc

        self.run_worker(work, name=name, group="motion", thread=True)

    @on(Worker.StateChanged)
    def _motion_done(self, event: Worker.StateChanged) -> None:
        if event.worker.group not in ("motion", "diff") or event.state not in (WorkerState.SUCCESS,
                                                                                WorkerState.CANCELLED):
            return
        self.busy = False
        result = event.worker.result
        if isinstance(result, CoordError):
            self.error = str(result)
        elif event.worker.group == "diff" and result is not None:
            self.push_screen(DiffScreen(*result))
        elif result is not None:
            # What the motion met on the way: a condition that could not be evaluated (it stopped
            # there), a logpoint's message.
            for line in result.output:
                self.notify(line, title="breakpoint output")
        self.show_stop()

    def action_motion(self, method: str) -> None:
        """One of :data:`MOTIONS`: the session method of that name."""
        self._motion(MOTIONS[method], getattr(self.session, method))

    def go(self, position: int) -> None:
        self._motion(f"go to step {position}", lambda: self.session.goto(position))

    def action_pause(self) -> None:
        if self.busy:
            self.session.pause()

    def action_quit(self) -> None:
        self.session.pause()
        self.exit(0)

    @on(TimelinePane.Jump)
    def _jump(self, event: TimelinePane.Jump) -> None:
        if event.position is None and event.input is not None:
            index = event.input
            self._motion(f"run on to input event {index}", lambda: self.session.goto_input(index))
        elif event.position is not None:
            self.go(event.position)

    def action_goto(self) -> None:
        known = self.session.timeline()
        last = known[-1].position if known else None

        def chosen(position: int | None) -> None:
            if position is not None:
                self.go(position)

        self.push_screen(GotoScreen(self.session.position, last), chosen)

    # ---- breakpoints
    def action_toggle_breakpoint(self) -> None:
        line = self.query_one(SourceView).cursor + 1
        problem = self.breakpoints.toggle(self.session, self._shown_path, line)
        self._show_breakpoints()
        if problem:
            self.notify(problem, severity="warning")

    def action_condition(self) -> None:
        path, line = self._shown_path, self.query_one(SourceView).cursor + 1

        def given(condition: str | None) -> None:
            if condition is None:
                return
            problem = self.breakpoints.set_condition(self.session, path, line, condition)
            self._show_breakpoints()
            if problem:
                self.notify(problem, severity="warning")

        self.push_screen(PromptScreen(f"condition: {path.name}:{line}",
                                      "stop only where this holds (an expression in the instance; empty: always)",
                                      value=self.breakpoints.condition_at(path, line) or "",
                                      placeholder="o.amount > 100"), given)

    def action_event_breakpoint(self) -> None:
        events = ", ".join(e.name for e in self.session.program.events)
        now = self.breakpoints.events_text()
        self._ask_breakpoint("event breakpoint", f"TYPE [if CONDITION]; a type set already is removed "
                             f"({now or 'none set'}). Types: {events}", "PaymentOk if amount > 100",
                             self.breakpoints.toggle_event)

    def action_error_breakpoint(self) -> None:
        filters = "; ".join(f"{name}: {description}" for name, _, description in ERROR_FILTERS)
        now = "; ".join(" ".join((name, *kinds)) for name, kinds in self.breakpoints.errors.items())
        self._ask_breakpoint("error breakpoint", f"FILTER [KIND ...]: no kind stops on every kind; the same again "
                             f"is removed ({now or 'none set'}). {filters}", "uncaught Timeout",
                             self.breakpoints.toggle_errors)

    def _ask_breakpoint(self, title: str, explanation: str, placeholder: str,
                        toggle: Callable[[DebugSession, str], str | None]) -> None:
        """A prompt whose answer ``toggle`` applies; what it could not set is a warning."""
        def given(text: str | None) -> None:
            if not text:
                return
            problem = toggle(self.session, text)
            self._show_breakpoints()
            if problem:
                self.notify(problem, severity="warning")

        self.push_screen(PromptScreen(title, explanation, placeholder=placeholder), given)

    def _show_breakpoints(self) -> None:
        source = self.query_one(SourceView)
        path = self._shown_path
        source.set_breakpoints(self.breakpoints.marks.get(path, {}), self.breakpoints.conditional.get(path, ()))
        source.border_subtitle = self.breakpoints.events_text()

    # ---- comparing two positions
    def action_mark(self) -> None:
        if self.busy:
            return
        self.mark = self.session.position
        self._show_status()

    def action_diff(self) -> None:
        if self.mark is None:
            self.notify("no position marked: m marks the current one", severity="warning")
            return
        if self.busy:
            self.notify("the session is running: p pauses it", severity="warning")
            return
        # The diff replays the run to both positions: a worker keeps the screen alive meanwhile.
        self.busy = True
        self.error = None
        mark, here = self.mark, self.session.position
        self._show_status(running=f"diff of steps {mark} and {here}", pausable=False)

        def work():
            try:
                return mark, here, self.session.diff(mark, here)
            except CoordError as exc:
                return exc

        self.run_worker(work, name="diff", group="diff", thread=True)

    # ---- watch expressions
    def action_add_watch(self) -> None:
        def added(text: str | None) -> None:
            if text:
                self.watches.append(text)
                self._want_watch()
                if not self.busy:  # while a motion runs, its stop shows the new watch
                    self._show_watch()

        self.push_screen(PromptScreen("watch", "an expression in the language, evaluated at every stop",
                                      placeholder="o.amount * 2"), added)

    def _want_watch(self) -> None:
        panes = self.query_one(Panes)
        if not panes.watching:
            panes.watching = True
            panes.place_watch()

    @on(WatchTable.Removed)
    def _unwatch(self, event: WatchTable.Removed) -> None:
        if 0 <= event.index < len(self.watches):
            del self.watches[event.index]
            if not self.busy:
                self._show_watch()

    # ---- panes and help
    def action_pane(self, name: str) -> None:
        if name == "watch":
            self._want_watch()
        if name in SIDE_PANES:
            self.query_one(Tabs).active = f"tab-{name}"
        widget = self.query_one(f"#{name}")
        if name == "timeline":
            self.query_one(TimelinePane).focus_current()
        else:
            widget.focus()

    @on(Tabs.TabActivated, "#tabs")
    def _tab(self, event: Tabs.TabActivated) -> None:
        shown = event.tab.id.removeprefix("tab-")
        for name in SIDE_PANES:
            self.query_one(f"#{name}").set_class(name == shown, "-shown")

    def action_jump(self) -> None:
        self.action_pane("timeline")

    def action_filter(self) -> None:
        self.action_pane("timeline")
        self.query_one(TimelinePane).action_filter()

    def action_help(self) -> None:
        keys = [(_keys_text(b.key), self.HELP.get(b.action, b.description)) for b in self.BINDINGS
                if isinstance(b, Binding) and not b.action.startswith("pane")]
        keys.append(("1 2 3 4 5 6", "go to a pane: " + ", ".join(PANE_KEYS)))
        self.push_screen(HelpScreen([("debugger", keys), *self.PANE_HELP]))


def _finite(clock: float) -> float | None:
    return clock if clock == clock and abs(clock) != float("inf") else None


_KEY_NAMES = {"space": "Space", "question_mark": "?", "slash": "/", "full_stop": "."}


def _keys_text(keys: str) -> str:
    """``n,f10`` → ``n  F10``; ``shift+f11`` → ``Shift+F11``."""
    def one(key: str) -> str:
        if key in _KEY_NAMES:
            return _KEY_NAMES[key]
        return "+".join(part.capitalize() if len(part) > 1 else part for part in key.split("+"))

    return "  ".join(one(k) for k in keys.split(","))
