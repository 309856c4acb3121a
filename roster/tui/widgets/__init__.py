"""Widgets and renderables shared by several screens."""
