"""Platform-neutral views of a prepared store: summary, thesis, flagged, positions, sources, cards, search."""
