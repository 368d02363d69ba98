"""Pages of the Streamlit app (``app.py``) that outgrew it: widgets and layout only,
everything else through :class:`plangraph.workspace.Workspace` and :mod:`plangraph.present`."""
