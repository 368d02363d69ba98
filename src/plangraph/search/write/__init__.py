"""The write side of search: passages → an index folder, built or changed one plan at a
time (:mod:`~plangraph.search.write.build`, :mod:`~plangraph.search.write.plan_shard`,
:mod:`~plangraph.search.write.embedding`, :mod:`~plangraph.search.write.cache`,
:mod:`~plangraph.search.write.folders`, :mod:`~plangraph.search.write.ann_update`),
or copied to Milvus (:mod:`~plangraph.search.write.milvus_sync`).
It never imports :mod:`plangraph.search.read`."""
