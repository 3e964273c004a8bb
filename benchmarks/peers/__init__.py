"""What the coord programs are measured against, and the adapters that run coord's executors."""
