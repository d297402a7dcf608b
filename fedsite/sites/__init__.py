"""Sites as units of work: what each reads, and the digests that decide whether it is rebuilt."""
