"""briefbot: briefs a team on a contested subject from a curated claim store."""
