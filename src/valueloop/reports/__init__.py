"""Reports: charts and documents built from valueloop results."""
