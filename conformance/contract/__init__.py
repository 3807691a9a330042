"""The contract: the pinned botocore model extract, schemas derived from it, and the requirement catalog."""
