"""research-topics: themes, topics and trends from publication lists."""

__version__ = "0.5.0"
