"""What the build keeps between runs, checked before it is trusted."""
