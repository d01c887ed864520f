"""ML-100K's Freebase knowledge graph, mapped to items and given readable entity labels.

RecBole stores each fact twice (``film.film.directed_by`` and its inverse ``film.director.film``). Only the forward
``film.film.*`` relations, whose head is the film, are kept; each becomes a short relation name. Freebase ids mean
nothing to a reader, so each entity is labelled by its main relation and the best-known films (most rated in the
dataset) it links to, e.g. ``director: Star Wars (1977); Return of the Jedi (1983)``.
"""

from __future__ import annotations

import pandas as pd

from replicate.data.types import KnowledgeGraph

RELATIONS = {
    "film.film.actor": "actor",
    "film.film.directed_by": "director",
    "film.film.written_by": "writer",
    "film.film.produced_by": "producer",
    "film.film.cinematography": "cinematographer",
    "film.film.genre": "genre",
    "film.film.subjects": "subject",
    "film.film.language": "language",
    "film.film.country": "country",
    "film.film.production_companies": "production company",
    "film.film.rating": "content rating",
    "film.film.award_nomination": "award nomination",
    "film.film.award_won": "award won",
    "film.film.sequel": "sequel",
    "film.film.prequel": "prequel",
}
LABEL_FILMS = 2


def build_kg(link: pd.DataFrame, triples: pd.DataFrame, items: pd.DataFrame, ratings: pd.DataFrame, source: str):
    """``link``: item_id -> entity_id; ``triples``: head_id, relation_id, tail_id (RecBole column names)."""
    item_of_original = pd.Series(items.index.to_numpy(), index=items["original_id"].astype(str).to_numpy())
    link = link.assign(item=link["item_id"].map(item_of_original)).dropna(subset=["item"])
    film_item = pd.Series(link["item"].astype(int).to_numpy(), index=link["entity_id"].to_numpy())
    forward = triples[triples["relation_id"].isin(RELATIONS.keys()) & triples["head_id"].isin(film_item.index)]
    mapped = pd.DataFrame(
        {
            "item": film_item.loc[forward["head_id"]].to_numpy(),
            "relation": forward["relation_id"].map(RELATIONS).to_numpy(),
            "entity": forward["tail_id"].to_numpy(),
        }
    )
    mapped = mapped.drop_duplicates().sort_values(["item", "relation", "entity"]).reset_index(drop=True)
    return KnowledgeGraph(triples=mapped, entities=label_entities(mapped, items, ratings), source=source)


def label_entities(triples: pd.DataFrame, items: pd.DataFrame, ratings: pd.DataFrame) -> pd.DataFrame:
    """One row per entity: a readable ``label``, its main ``relation`` and ``n_items``."""
    popularity = ratings.groupby("item").size().reindex(items.index, fill_value=0)
    facts = triples.assign(
        popularity=popularity.loc[triples["item"]].to_numpy(), title=items["title"].loc[triples["item"]].to_numpy()
    )
    main_relation = facts.groupby(["entity", "relation"]).size().rename("n").reset_index()
    main_relation = main_relation.sort_values(["entity", "n", "relation"], ascending=[True, False, True])
    main_relation = main_relation.drop_duplicates("entity").set_index("entity")["relation"]
    films = facts.drop_duplicates(["entity", "item"]).sort_values(
        ["entity", "popularity", "title"], ascending=[True, False, True]
    )
    n_items = films.groupby("entity").size()
    best = films.groupby("entity").head(LABEL_FILMS).groupby("entity")["title"].agg("; ".join)
    relation = main_relation.loc[n_items.index]
    label = relation + ": " + best.loc[n_items.index]
    more = n_items - LABEL_FILMS
    label[more > 0] = label[more > 0] + " (+" + more[more > 0].astype(str) + " more)"
    entities = pd.DataFrame({"label": label, "relation": relation, "n_items": n_items})
    entities.index.name = "entity"
    clash = entities["label"].duplicated(keep=False)
    entities.loc[clash, "label"] = entities.loc[clash, "label"] + " [" + entities.index[clash] + "]"
    return entities
