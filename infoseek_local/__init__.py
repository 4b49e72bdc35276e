"""infoseek-local: offline InfoSeek data synthesis over a local web dump."""

__version__ = "0.1.0"
