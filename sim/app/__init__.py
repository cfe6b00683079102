"""The live workshop page: markets playing out in the browser on Mesa's SolaraViz.

Start it with ``crsim app [SCENARIO] [--port N]``. This package imports the
simulation; the simulation never imports it.
"""
