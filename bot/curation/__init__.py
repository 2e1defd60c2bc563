"""Curation: the reloader, admin commands' platform-neutral side, drafts, exports."""
