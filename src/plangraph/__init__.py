"""plangraph: knowledge graph and cited search over Chinese education plans."""

__version__ = "0.1.0"
