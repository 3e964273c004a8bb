"""The standard pattern library (std.*), as .coord modules."""
