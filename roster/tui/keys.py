"""Key bindings in the language being spoken.

Screens declare `BINDINGS` with English descriptions marked `N_` (they are class attributes,
written when the module loads, before the language may be chosen); every roster screen,
dialog and the app translate their own copy of the bindings when they are made
(`translate_bindings`), so that the footer and the help speak the current language.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding
from textual.dom import DOMNode

from roster.i18n import _


def translated(binding: Binding) -> Binding:
    """`binding` with its description and tooltip in the current language."""
    return replace(
        binding,
        description=_(binding.description) if binding.description else binding.description,
        tooltip=_(binding.tooltip) if binding.tooltip else binding.tooltip,
    )


def translate_bindings(node: DOMNode) -> None:
    """Put `node`'s own copy of its bindings into the current language, in place."""
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [translated(b) for b in bindings]
