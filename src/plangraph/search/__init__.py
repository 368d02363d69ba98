"""Search: passages → an index on disk → cited hits.

The package is split by direction (txtai's ``embeddings/index`` and ``embeddings/search``):

- ``plangraph.search`` itself holds what both sides share: the encoders
  (:mod:`~plangraph.search.encoders`), the index format and its reader
  (:mod:`~plangraph.search.index`, :mod:`~plangraph.search.shard`,
  :mod:`~plangraph.search.vectors`, :mod:`~plangraph.search.ann`), the lexical
  tokenizer and postings (:mod:`~plangraph.search.lexical`,
  :mod:`~plangraph.search.lexical_index`) and the Milvus collection layout
  (:mod:`~plangraph.search.milvus`).
- :mod:`plangraph.search.write` makes and changes an index: builds, shards, embedding
  and its cache, ANN updates, copying to Milvus.
- :mod:`plangraph.search.read` answers queries: the searcher, fusion, scope, filters,
  cross-lingual expansion, and the Milvus searcher.

The read side never imports the write side, nor the write side the read side.
"""
