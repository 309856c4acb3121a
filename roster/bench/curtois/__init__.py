"""The Curtois & Qu employee shift-scheduling benchmark: `instance` (reader), `rules` (its
extra rules), `model` (the model and its search), `bound` (column generation), `check`
(the independent checker)."""
