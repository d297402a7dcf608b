"""The build command's pipeline, its workers and the atomic swap of the output."""
