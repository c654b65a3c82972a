"""Use cases: what the app does for an agent, on top of the domain rules and the store."""
