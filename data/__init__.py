"""The demo district's files and the script that generates them (`generate_demo.py`)."""
