"""The run: the stages and their cache, progress, writing the outputs, and theme suggestions from a finished run.
:func:`topics.pipeline.runner.run` is the one place that orchestrates a run."""
