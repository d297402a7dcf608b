"""Static-site generator for federated organization websites (MkDocs + Material)."""

__version__ = "0.1.0"
