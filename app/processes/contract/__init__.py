"""The contract process: its guide, to-do items, worklist and wording."""
