"""Plan stage: the published federation as a view, and every page of every site as data."""
