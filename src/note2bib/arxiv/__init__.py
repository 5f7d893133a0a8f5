"""arXiv: the id grammar, the API client and its HTTP, pacing, the paper cache, title search."""
