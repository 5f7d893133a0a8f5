"""The user's existing library: reading it, what identifies an entry, matching, merging."""
