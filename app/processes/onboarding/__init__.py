"""The onboarding process: its guide, to-do items, worklist and wording."""
