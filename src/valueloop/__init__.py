"""valueloop: circular metals value chains, copper and cobalt first."""

__version__ = "0.1.0"
