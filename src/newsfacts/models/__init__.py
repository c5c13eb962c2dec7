"""The table models: the single source of truth for every schema and the data dictionary."""

from ._base import Evidence, ForeignKey, Row, Sources, Vocabulary
from .articles import Article
from .entities import Entity
from .entity_mentions import EntityMention
from .event_actors import EventActor
from .event_relations import RELATION_TYPES, EventRelation
from .event_sources import EventSource
from .events import EVENT_TYPES, Event
from .non_quotes import NonQuote
from .quotes import Quote
from .sanction_sources import SanctionSource
from .sanctions import Sanction

# The one list of the package's tables: a table added here (and in its own module) is read, checked,
# built, exported and documented. In dependency order: a table only refers to tables listed before it
# (self-references aside).
TABLES: tuple[type[Row], ...] = (
    Entity,
    Article,
    EntityMention,
    Quote,
    NonQuote,
    Event,
    EventActor,
    EventSource,
    EventRelation,
    Sanction,
    SanctionSource,
)
MODELS: dict[str, type[Row]] = {model.resource_name: model for model in TABLES}

__all__ = [
    "EVENT_TYPES",
    "MODELS",
    "RELATION_TYPES",
    "TABLES",
    "Article",
    "Entity",
    "EntityMention",
    "Event",
    "EventActor",
    "EventRelation",
    "EventSource",
    "Evidence",
    "ForeignKey",
    "NonQuote",
    "Quote",
    "Row",
    "Sanction",
    "SanctionSource",
    "Sources",
    "Vocabulary",
]
