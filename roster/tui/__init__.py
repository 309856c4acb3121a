"""The terminal UI: the app, its messages and screens. Only the app imports screens."""
