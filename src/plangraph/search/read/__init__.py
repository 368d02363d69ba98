"""The read side of search: a query against an opened index → ranked, cited hits
(:mod:`~plangraph.search.read.searcher`, :mod:`~plangraph.search.read.fusion`,
:mod:`~plangraph.search.read.scope`, :mod:`~plangraph.search.read.filters`,
:mod:`~plangraph.search.read.crosslingual`, :mod:`~plangraph.search.read.milvus_search`).
It never imports :mod:`plangraph.search.write`."""
