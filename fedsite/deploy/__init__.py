"""Deploy stage: publish a finished output to gh-pages branches or to S3-compatible hosting."""
