"""The phases of a simulated month, one module per mechanism of the model brief.

Each phase is a function of the :class:`~sim.state.MarketState` that works on
all customers at once (numpy), draws from its own random stream, and can be
switched off through ``scenario.mechanisms``.
"""
