"""Fakes of the platforms and of other components, for tests."""
