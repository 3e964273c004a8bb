"""The IR: the state machines the compiler emits and the runtime runs."""
