"""Results -> pictures. Nothing here runs a model."""
