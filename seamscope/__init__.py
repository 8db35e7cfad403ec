"""Seamscope: observability for order fulfilment across company boundaries."""

__version__ = "0.1.0"
