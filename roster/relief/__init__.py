"""Relief requests: cover an absence in the week with the fewest changes.

The core the CLI (`roster relief`, `roster recall`) and the screens call; it never imports
Textual. Plain values in, plain values out:

- `relief_options(district, roster, cadre_id, start, end, history=...)` lists the ways to
  cover the shifts the absent cadre leaves free from `start` to `end`, best first;
- `apply_option(db, request, option, actor)` re-checks one and writes it in one transaction
  (roster, absence, request, settled, audit); the week changed meanwhile is refused
  (`StaleWeek`, naming who and when) or, with `rebase`, the option is made on top of a
  change that touched none of its people and cells;
- `messages_for(option)` gives the text message for each person whose week changes;
- `record_request` stores an open request, `recall` records a recall (and its request).

How an option is found. The absent cadre's shifts in the span are freed (a shift whose post
and shift stay covered without them needs nobody). Candidates are the active cadres living
within commute of the post, free of absence that day and allowed the shift:
- swap: a colleague deployed at the same post who rests that day works it, and the absent
  cadre works one of the colleague's days in return (on a day they are free);
- take_over: such a colleague simply works the extra day;
- shift_change: a colleague on an over-staffed shift of the same post changes shift;
- reserve: a cadre deployed nowhere this week takes it;
- lightly_used: a cadre deployed at another post, resting that day, is lent for it;
- lend: a cadre on an over-staffed shift of another post is lent for the day;
- resolve (last resort, when the above leave shifts uncovered): the affected post's shifts
  from `start` on are solved again with its cadres and a few nearby spare ones, everything
  else fixed (the per-post CP-SAT model of `solver.schedule`, plus a cost per changed cell).
A person may take several of the freed shifts; options of two or more people combine
persons who cover disjoint parts. Added shifts carry the source `relief`.

Ranking: fewest uncovered shifts, then fewest people disturbed (the absent cadre is not
counted), then cost, then kind (swap first, resolve last). The cost is in the weights of
`Settings`, term by term (`ReliefOption.cost_terms`):
commute (weight_commute per km travelled more, one way, per shift), workload
(weight_fairness per extra shift of someone else), continuity (weight_continuity per person
sent to a post that is neither theirs this week nor last week's), fairness_nights /
fairness_weekends (the change in the post's spread, as `solver.soft` counts it but over all
shifts), party_post (weight_party_post per day a post loses its only party member on duty)
and unmet (weight_unmet per shift left uncovered).

Every option offered is checked by the independent checker before it is offered: the
changed cadres' weeks with their history (`check_roster`, coverage off; the other cadres'
weeks do not change, and every hard rule but coverage is about one cadre's week, so this
is the whole week's verdict for rules 1 and 3-8) must add no breach, and no cell the option
touches may end up short unless the option says it leaves that shift uncovered.
`apply_option` checks the whole week again, coverage included, before writing.

The modules, one job each: `options` (the values and errors), `week_index` (the indexes
over a stored week and a request read against them), `search` (each person's feasible
part, and `relief_options`), `compose` (parts combined into options), `costs`, `wording`
(options and uncovered shifts in words), `verdict` (the checker's word on an option),
`resolve` (the local re-solve), `texts` (the text messages) and `apply` (requests,
settling and recalls, written through `roster.store`).
"""

from roster.relief.apply import (
    absence_kind,
    apply_changes,
    apply_option,
    find_cadre,
    recall,
    record_request,
)
from roster.relief.options import (
    DEFAULT_LIMIT,
    KINDS,
    RELIEF_SOURCE,
    Applied,
    Change,
    Effect,
    PersonEffect,
    Recalled,
    ReliefError,
    ReliefMessage,
    ReliefOption,
    StaleOption,
    StaleWeek,
    Uncovered,
)
from roster.relief.search import relief_options
from roster.relief.texts import messages_for
from roster.relief.verdict import whole_week_breaches

__all__ = [
    "DEFAULT_LIMIT",
    "KINDS",
    "RELIEF_SOURCE",
    "Applied",
    "Change",
    "Effect",
    "PersonEffect",
    "Recalled",
    "ReliefError",
    "ReliefMessage",
    "ReliefOption",
    "StaleOption",
    "StaleWeek",
    "Uncovered",
    "absence_kind",
    "apply_changes",
    "apply_option",
    "find_cadre",
    "messages_for",
    "recall",
    "record_request",
    "relief_options",
    "whole_week_breaches",
]
