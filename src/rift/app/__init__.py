"""``rift app``: a browser page on 127.0.0.1 to change a scenario, run it and compare.

:mod:`rift.app.session` holds what the page does (tested without a browser),
:mod:`rift.app.page` draws it with Solara, :mod:`rift.app.server` serves it. Solara is an
optional dependency (``pip install -e ".[app]"``); nothing here imports it until the server
starts.
"""
