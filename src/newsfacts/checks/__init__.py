"""Check functions. Each takes loaded package data and returns a list of problems."""
