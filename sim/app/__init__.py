"""The live workshop page: markets playing out in the browser, on Solara components over the Mesa model.

Start it with ``crsim app [SCENARIO] [--port N]``. Each browser tab is a session
with its own markets (``sim.app.player``); the simulation never imports this package.
"""
