"""Syntax: tokens, the grammar, the parser with error recovery and the AST."""

from coordlang.syntax.parser import ParseResult, parse, parse_expression

__all__ = ["ParseResult", "parse", "parse_expression"]
