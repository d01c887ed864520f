"""The data chapter's claims (``notebooks/data.py``), declared once, before the run, in the order it records them.

The data chapter has no paper of its own. What it checks falls in two kinds:

- **facts** (``kind="fact"``): the sizes the GroupLens READMEs state, and what the four papers say of their data
  (RecoNet's rounded description of ML-1M, the C-VAE paper's commonest and rarest genres, the size of EMDE's
  filtered ML-20M). A count a paper reports about a dataset is a fact of the data, checked here, not a result of the
  paper: none of them is counted in the book's headline of paper claims. The C-VAE chapter records the same genre
  sentence (``same_as``).
- **book checks** (``kind="book"``): the join of MovieLens to the Wikidata film table. Its coverage must reach the
  rough join of the reference facts (its counts are fixed here, from ``shared/notes/reference-facts.md``: measured
  once, before this join was written, not in the run); its matches must be right. Each has a null that a skeptic
  would choose, measured in the run with the same function: for the coverage, the join without any care (exact
  title, exact year: :func:`replicate.data.films.naive_match`); for the rightness of the matches, the same join with
  its films dealt out at random among the matched movies (:func:`replicate.data.films.shuffled`).
"""

from replicate.core.claims import AtLeast, Declared, Exact, Holds, NotApplicable, Within, declare

# The rough join of the reference facts (lower case, no punctuation or leading articles, year +- 1): movies matched
# and movies matched to a film with a cast. The careful join's coverage checks must reach them.
ROUGH = {"ml-1m": (3_042, 2_931), "ml-100k": (1_353, 1_309)}
ROUGH_SOURCE = "the data chapter, section “Named cast and crew”: a rough join by lower-cased title and year ± 1"
# At most about one wrong film in ten among the matches the careful join adds to the naive one.
MIN_AGREEMENT = 0.9

ML100K = "GroupLens ML-100K README"
ML1M = "GroupLens ML-1M README"
ML100K_QUOTE = "100,000 ratings (1-5) from 943 users on 1682 movies"
ML1M_QUOTE = "1,000,209 anonymous ratings of approximately 3,900 movies made by 6,040 MovieLens users"
RECONET = "RecoNet §5 (Experiments)"
RECONET_QUOTE = "MovieLens dataset with 1 million ratings (approx. 6,000 users and 4,000 movies)"
ROUNDING = "the paper's approximation: half a unit of the last digit it gives"
CVAE = "C-VAE §3 (on ML-20M)"
CVAE_QUOTE = "Drama and Comedy are the most common genres, while Film-noir, IMAX and neutral [...] are the least common"
GENRES_ON_ML1M = "measured on ML-1M by movies (ML-20M is not available here; ML-1M has neither IMAX nor neutral)"
COVERAGE_NULL = "the join without care: exact title (case ignored) and exact year (films.naive_match), same count"
SHUFFLED = "the same join with its films dealt out at random among the matched movies (films.shuffled, the run's rng)"


def _coverage(name: str) -> tuple[Declared, Declared]:
    stem = name.replace("-", "")
    matched, with_cast = ROUGH[name]
    why = "a careful join must not cover less than the rough rule it replaces (a count fixed before this join)"
    return (
        Declared(
            f"films_{stem}_matched",
            f"{name} movies joined to a Wikidata film, at least as many as the rough join",
            "book",
            AtLeast(matched),
            reason=why,
            paper=matched,
            where=ROUGH_SOURCE,
            null=COVERAGE_NULL,
        ),
        Declared(
            f"films_{stem}_with_cast",
            f"{name} movies joined to a film with a cast, at least as many as the rough join",
            "book",
            AtLeast(with_cast),
            reason=why,
            paper=with_cast,
            where=ROUGH_SOURCE,
            null=COVERAGE_NULL,
        ),
    )


CLAIMS = declare(
    # Counts: the GroupLens READMEs, exactly.
    Declared("ml100k_ratings", "ML-100K ratings", "fact", Exact(), paper=100_000, quote=ML100K_QUOTE, where=ML100K),
    Declared("ml100k_users", "ML-100K users", "fact", Exact(), paper=943, quote=ML100K_QUOTE, where=ML100K),
    Declared("ml100k_items", "ML-100K movies", "fact", Exact(), paper=1_682, quote=ML100K_QUOTE, where=ML100K),
    Declared("ml1m_ratings", "ML-1M ratings", "fact", Exact(), paper=1_000_209, quote=ML1M_QUOTE, where=ML1M),
    Declared("ml1m_users", "ML-1M users", "fact", Exact(), paper=6_040, quote=ML1M_QUOTE, where=ML1M),
    Declared(
        "ml1m_genres",
        "ML-1M genres",
        "fact",
        Exact(),
        paper=18,
        quote="Genres are pipe-separated and are selected from the following genres",
        where=ML1M + " (the list of 18)",
    ),
    # RecoNet's description of ML-1M: a fact of the data, within the paper's rounding.
    Declared(
        "reconet_ml1m_ratings",
        "ML-1M ratings, as RecoNet describes them",
        "fact",
        Within(abs=50_000),
        reason=ROUNDING,
        paper=1_000_000,
        quote=RECONET_QUOTE,
        where=RECONET,
    ),
    Declared(
        "reconet_ml1m_users",
        "ML-1M users, as RecoNet describes them",
        "fact",
        Within(abs=500),
        reason=ROUNDING,
        paper=6_000,
        quote=RECONET_QUOTE,
        where=RECONET,
    ),
    Declared(
        "reconet_ml1m_movies",
        "ML-1M rated movies, as RecoNet describes them",
        "fact",
        Within(abs=500),
        reason=ROUNDING,
        paper=4_000,
        quote=RECONET_QUOTE,
        where=RECONET,
    ),
    # The C-VAE paper's genre sentence: a fact of the data (ML-20M's; here ML-1M's), recorded in the C-VAE chapter too.
    Declared(
        "cvae_top_genres",
        "Drama and Comedy are the two most common genres (ML-1M, by movies)",
        "fact",
        Holds(),
        reason=GENRES_ON_ML1M,
        paper=True,
        quote=CVAE_QUOTE,
        where=CVAE,
        same_as="cvae:genres_drama_comedy_most_common",
    ),
    Declared(
        "cvae_film_noir_rarest",
        "Film-Noir is the least common genre (ML-1M, by movies)",
        "fact",
        Holds(),
        reason=GENRES_ON_ML1M + "; the strictest reading: the rarest of all",
        paper=True,
        quote=CVAE_QUOTE,
        where=CVAE,
        same_as="cvae:film_noir_least_common",
    ),
    # The join's coverage: the rough join's counts, against the join without care as the null.
    *_coverage("ml-1m"),
    *_coverage("ml-100k"),
    # The join's matches are right: against the same join with its films shuffled.
    Declared(
        "films_added_genre_agreement",
        "ML-1M: share of the matches added to the naive join whose genres agree with the film's",
        "book",
        AtLeast(MIN_AGREEMENT),
        reason="MovieLens and Wikidata label genres independently, so a wrong film seldom shares one: at most about "
        "one wrong film in ten among the risky matches, over the whole 95 % Wilson interval",
        paper=MIN_AGREEMENT,
        where="the data chapter, section “Named cast and crew”: a precision check of the join",
        null=SHUFFLED + ", the same added movies",
    ),
    Declared(
        "films_paper_movies",
        "The EMDE paper's movies are joined in ML-1M with the people it names (and Casablanca without Joseph Cotten)",
        "book",
        Holds(),
        reason="the people the EMDE paper names must be found where it names them, every one",
        paper=True,
        where="the data chapter, section “Named cast and crew”; the people from EMDE §3.2",
        null=SHUFFLED,
    ),
    # EMDE's filtered ML-20M: a fact of data this book does not have.
    Declared(
        "emde_ml20m_movies",
        "ML-20M movies after EMDE's filtering",
        "fact",
        NotApplicable("ML-20M is not available here; the EMDE chapter uses ML-1M"),
        paper=20_108,
        quote="we obtain 20,108 movies and 116,677/10,000/10,000 train/test/valid users",
        where="EMDE §3 (Experiments)",
    ),
)

# EMDE's train / test / validation users on its filtered ML-20M (the same quote as ``emde_ml20m_movies``).
EMDE_ML20M_USERS = (116_677, 10_000, 10_000)
