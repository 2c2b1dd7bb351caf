"""Measures of a fitted topic model: NPMI coherence, diversity, degenerate-topic flags and the agreement of two
models."""
