"""Monte-Carlo simulation of a program on virtual time (``coord simulate``): generated events,
injected faults and latency, many seeded universes, distributions of what happened.

Runs on the reference interpreter, which gives handler attempts virtual latency and reports
each step's timings through its :class:`~coordlang.runtime.interpreter.effects.Effects`.
"""

from coordlang.runtime.simulation.report import dumps, percentile, report, summary
from coordlang.runtime.simulation.spec import Arrival, Fault, FollowUp, Spec, SpecError, load_spec
from coordlang.runtime.simulation.stream import RunawayFollowUps, arrival_times, generate
from coordlang.runtime.simulation.universe import UniverseResult, run_universe, run_universes, universe_seed

__all__ = ["Arrival", "Fault", "FollowUp", "RunawayFollowUps", "Spec", "SpecError", "UniverseResult",
           "arrival_times", "dumps", "generate", "load_spec", "percentile", "report", "run_universe",
           "run_universes", "summary", "universe_seed"]
