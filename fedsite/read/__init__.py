"""Read stage: the repository's files as checked data (tree, settings, posts, pages, assets)."""
