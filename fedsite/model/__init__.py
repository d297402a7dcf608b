"""Plain data and the helpers every stage shares: problems, dates, slugs, digests, schemas, safe YAML."""
