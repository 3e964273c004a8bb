"""The analysis API for editors and front-ends."""
