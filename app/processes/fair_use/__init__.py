"""The fair-use process: its guide, to-do items, worklist and wording."""
