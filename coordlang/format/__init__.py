"""The formatter: canonical layout, comments kept."""
