"""The one API editors and front-ends use to ask about a document.

Analyze a document once (cached per uri and version), then ask it questions by offset
(0-based code points). Everything here is a pure function over immutable results::

    analysis = analyze(text, path)            # or AnalysisCache().get(uri, text, version)
    analyze(new_text, path, previous=analysis)  # re-parses only the declarations an edit touched
    analysis.diagnostics                      # parser + checker + optimization hints, sorted
    symbol_at(analysis, offset)               # (Symbol, name span) | None
    definition(analysis, offset)              # Location | None (across imports)
    references(analysis, offset)              # tuple[Location, ...] in this document
    hover(analysis, offset)                   # Hover(markdown, span) | None
    completions(analysis, offset)             # Completions(context, items)
    signature_help(analysis, offset)          # Signature | None
    outline(analysis.module)                  # document symbols
    folding_ranges(analysis.module, analysis.parse.comments, analysis.lines)
    semantic_tokens(analysis.module, analysis.parse.tokens, analysis.parse.comments)
    inlay_hints(analysis, span)               # inferred let types, policies' worst-case waiting
    code_actions(analysis, span)              # tuple[Action, ...]: quick fixes and rewrites
    workflow_graphs(analysis)                 # tuple[WorkflowGraph, ...]: steps, waits, branches
    node_at(graph_at(graphs, offset), offset) # the graph node a debugger location stands in
"""

from coordlang.analysis.actions import Action, code_actions
from coordlang.analysis.completion import CompletionItem, Completions, completions
from coordlang.analysis.context import CompletionContext, completion_context
from coordlang.analysis.document import Analysis, AnalysisCache, analyze, analyze_file
from coordlang.analysis.graph import GraphEdge, GraphNode, WorkflowGraph, graph_at, node_at, workflow_graphs
from coordlang.analysis.highlight import TOKEN_MODIFIERS, TOKEN_TYPES, SemanticToken, semantic_tokens
from coordlang.analysis.inlays import InlayHint, inlay_hints
from coordlang.analysis.outline import FoldingRange, OutlineItem, folding_ranges, outline
from coordlang.analysis.queries import (
    Hover, Location, Signature, definition, hover, references, references_to, same_symbol, signature_help,
    symbol_at,
)

__all__ = [
    "Analysis", "AnalysisCache", "analyze", "analyze_file", "CompletionContext", "completion_context",
    "CompletionItem", "Completions", "completions", "Hover", "Location", "Signature", "definition", "hover",
    "references", "references_to", "same_symbol", "signature_help", "symbol_at", "OutlineItem", "outline",
    "FoldingRange", "folding_ranges", "SemanticToken", "semantic_tokens", "TOKEN_TYPES", "TOKEN_MODIFIERS",
    "InlayHint", "inlay_hints",
    "Action", "code_actions",
    "WorkflowGraph", "GraphNode", "GraphEdge", "workflow_graphs", "graph_at", "node_at",
]
