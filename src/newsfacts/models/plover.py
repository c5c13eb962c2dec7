"""PLOVER, the event ontology that `events` is coded in: its categories, their modes, and the
reasons a row may have none.

From the PLOVER manual (`PLOVER_MANUAL.tex`, "DRAFT Version: 2.0", openeventdata/PLOVER at commit
5e0c24fba623f2d8df5ae3c7de7a94dba90d5b6f); docs/codebook.md gives the coding rules with examples.
"""

from dataclasses import dataclass
from typing import Literal

PLOVER_SOURCE = "PLOVER manual, DRAFT Version 2.0 (openeventdata/PLOVER, commit 5e0c24f, 2024-02-04)"


@dataclass(frozen=True)
class PloverCategory:
    definition: str
    modes: tuple[str, ...] = ()


PLOVER_CATEGORIES: dict[str, PloverCategory] = {
    "AGREE": PloverCategory(
        "Agree to, offer, promise, or otherwise indicate willingness or commitment to cooperate; cooperation "
        "reported in future tense (meetings, visits, aid to come) is AGREE."
    ),
    "CONSULT": PloverCategory(
        "All consultations and meetings, including visiting and hosting visits.",
        ("visit", "third-party", "multilateral", "phone"),
    ),
    "SUPPORT": PloverCategory(
        "Diplomatic, non-material cooperation; express support for or approve a policy, action or actor; "
        "ratify, sign or finalize an agreement."
    ),
    "CONCEDE": PloverCategory(
        "Verbal concessions without immediate material consequences, such as easing restrictions."
    ),
    "COOPERATE": PloverCategory("Initiate, resume, improve or expand mutual material cooperation or exchange."),
    "AID": PloverCategory(
        "Material aid whose benefits accrue to the recipient, including military assistance (arms, personnel)."
    ),
    "RETREAT": PloverCategory(
        "Actions with immediate material consequences that yield: withdraw, release, disarm, cease fire.",
        ("withdraw", "release", "disarm", "ceasefire", "access", "resign"),
    ),
    "REQUEST": PloverCategory("All requests, demands and orders.", ("assist", "change", "yield", "meet")),
    "ACCUSE": PloverCategory(
        "Disapprove, object, condemn or criticize; accuse, allege or charge; sue; investigate.",
        ("disapprove", "investigate", "allege"),
    ),
    "REJECT": PloverCategory("All rejections and refusals.", ("assist", "change", "yield", "meet")),
    "THREATEN": PloverCategory(
        "Threats, and coercive or forceful warnings with serious potential repercussions; the mode is the "
        "content of the threat.",
        ("restrict", "arrest", "relations", "expel", "territory", "violence"),
    ),
    "PROTEST": PloverCategory(
        "Civilian demonstrations and other collective actions carried out as protests.",
        ("demo", "riot", "strike", "hunger", "boycott", "obstruct", "vandalize"),
    ),
    "SANCTION": PloverCategory(
        "Reductions in existing, routine or cooperative relations; international sanctions are `discontinue`.",
        ("convict", "expel", "withdraw", "discontinue"),
    ),
    "MOBILIZE": PloverCategory(
        "Military or police moves that fall short of the use of force.", ("troops", "weapons", "police", "militia")
    ),
    "COERCE": PloverCategory(
        "Repression, restrictions on rights, or coercive uses of power short of violence.",
        (
            "seize",
            "restrict",
            "censor",
            "curfew",
            "martial-law",
            "arrest",
            "deport",
            "withhold",
            "misinformation",
            "cyber",
        ),
    ),
    "ASSAULT": PloverCategory(
        "Deliberate actions which can potentially result in substantial physical harm; the mode is the means.",
        (
            "abduct",
            "beat",
            "torture",
            "sexual",
            "targeted",
            "destroy",
            "primitive",
            "firearms",
            "explosives",
            "suicide-attack",
            "aerial",
            "drone",
            "heavy-weapons",
            "crowd-control",
            "unconventional",
        ),
    ),
}
PloverCategoryName = Literal[
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
]
# Every mode of any category, for the field's enum; `plover-mode` checks a mode against its category.
PLOVER_MODES: tuple[str, ...] = tuple(
    sorted({mode for category in PLOVER_CATEGORIES.values() for mode in category.modes})
)

# Why an event has no PLOVER category, in the order a coder tries them.
PLOVER_UNCODED_REASONS: dict[str, str] = {
    "media_report": "A news organisation's act of reporting: the outlet is the source of the text, not an actor. "
    "What it reports is coded in its own row.",
    "no_identifiable_actor": "The only actor is a regional or global construct or an unnamed collective "
    "(“Western”, “allies and partners”), which PLOVER does not code.",
    "commentary": "A statement, or the occasion for one, with no accusation, request, refusal, threat, offer, "
    "support or concession: PLOVER dropped CAMEO's “make public statement”. Bare denials, concern, non-commitments.",
    "no_category": "An action that none of the 16 categories defines, such as a state's own weapons production.",
}
PloverUncodedReason = Literal["media_report", "no_identifiable_actor", "commentary", "no_category"]


@dataclass(frozen=True)
class PloverRule:
    """The PLOVER codes an event type's events take (categories, or in lower case reasons for none),
    and the rule that decides among them."""

    codes: tuple[str, ...]
    rule: str


# A reason for no category that any event type may have: it is about the actor, not the action.
ANY_TYPE_REASONS: tuple[str, ...] = ("no_identifiable_actor",)
# How this dataset's event types map to PLOVER, as the data dictionary explains it: for each event
# type, the categories (or, in lower case, the reasons for none) its events are coded with, and the
# rule that decides among them (docs/codebook.md, "Event coding (PLOVER)").
PLOVER_BY_EVENT_TYPE: dict[str, PloverRule] = {
    "weapons_transfer": PloverRule(("AID", "AGREE"), "AID; AGREE while the transfer is only expected."),
    "military_training": PloverRule(("AID",), "AID: training given by one state to another's personnel."),
    "military_operation": PloverRule(("ASSAULT",), "ASSAULT, with a weapon mode only when the text names the weapon."),
    "weapons_production": PloverRule(("no_category",), "None: a state's own production is no interaction."),
    "media_report": PloverRule(
        ("media_report",), "None: the outlet is the source of the text; what it reports is coded."
    ),
    "statement": PloverRule(
        ("ACCUSE", "REQUEST", "SUPPORT", "REJECT", "THREATEN", "commentary"),
        "By what was said: condemnation ACCUSE `disapprove`, a demand REQUEST, praise SUPPORT; "
        "none (`commentary`) when it states only a view.",
    ),
    "accusation": PloverRule(("ACCUSE",), "ACCUSE `allege`."),
    "denial": PloverRule(
        ("REQUEST", "ACCUSE", "commentary"),
        "By its other content (a call on others REQUEST, a counter-accusation ACCUSE); a bare denial is `commentary`.",
    ),
    "warning": PloverRule(
        ("THREATEN", "ACCUSE"),
        "THREATEN when it names repercussions for the warned party; ACCUSE `disapprove` otherwise.",
    ),
    "press_conference": PloverRule(("commentary",), "None: the occasion; what was said there is its own event."),
    "meeting": PloverRule(
        ("CONSULT", "AGREE"), "CONSULT (`visit` when one side travels) once held; AGREE while planned."
    ),
    "visit": PloverRule(("CONSULT", "AGREE"), "CONSULT `visit` once made; AGREE while planned."),
    "agreement": PloverRule(("SUPPORT", "AGREE"), "SUPPORT for a concluded agreement; AGREE for an agreement to talk."),
    "policy_decision": PloverRule(
        ("SANCTION", "CONCEDE", "REJECT"),
        "Sanctions SANCTION `discontinue`; allowing a use of weapons CONCEDE, withholding it REJECT `yield`.",
    ),
    "social_media_post": PloverRule(("REQUEST", "commentary"), "By what was posted, as a statement."),
    "other": PloverRule(("COOPERATE",), "By the action described: closer ties between states COOPERATE."),
}


def plover_mapping() -> str:
    """The data dictionary's section on how the event types map to PLOVER, from `PLOVER_BY_EVENT_TYPE`."""
    lines = [
        "### Event coding (PLOVER)",
        "",
        f"Each event is also coded in PLOVER ({PLOVER_SOURCE}), the event ontology of the POLECAT",
        "dataset: `plover_category` and `plover_mode`, or `plover_uncoded_reason` where PLOVER would",
        "not code the event. `event_type` says what kind of happening an event is; PLOVER says how one",
        "actor acts on another, so one event type maps to several categories. `validate` holds each",
        "event to this mapping (`plover-unmapped`); the full rules, each with an example, are in",
        f"`docs/codebook.md`. Any event may instead have the reason {', '.join(f'`{r}`' for r in ANY_TYPE_REASONS)}.",
        "",
        "| event_type | PLOVER category, or reason for none | rule |",
        "|---|---|---|",
    ]
    for event_type, mapping in PLOVER_BY_EVENT_TYPE.items():
        lines.append(f"| `{event_type}` | {', '.join(f'`{code}`' for code in mapping.codes)} | {mapping.rule} |")
    return "\n".join(lines) + "\n"
