"""The rules of the EMDE chapter's model-based claims, fixed before any run, each with its one-line justification
(the notebook shows :data:`JUSTIFICATIONS`); the null-model tests apply the very same objects.
"""

from __future__ import annotations

from replicate.core.claims import AtLeast, AtMost, Exceeds, Within

TOP_K = 10  # a person is "strong" for a film when ranked in its top 10
PAPER_CAST_RATIO = round(0.023 / 0.026, 3)  # the paper's cast / interactions top influence

AGREEMENT = Within(abs=0.05)
CAST_RATIO = Within(abs=0.2)
HIGH_INFLUENCE = AtLeast(0.5)
OWN_CAST_STRONG = Exceeds(0.0)
NOT_OWN_CAST = AtLeast(0.25)
STRONG = AtMost(TOP_K)
NOT_STRONG = AtLeast(TOP_K + 1)
SAME_EPOCH = Exceeds(0.0)
DIFFERENT_REASONS = AtLeast(1)
BEATS = AtLeast(0.0)
COMPLETENESS = AtMost(0.05)
REMOVAL = AtMost(0.05)
STRUCTURAL_AGREEMENT = AtLeast(0.05)  # book check: an untrained network's agreement excess as large as the band

JUSTIFICATIONS = {
    "agreement (excess over chance) within ± 0.05 of 0.10": "the paper's users have dozens of liked movies, so its "
    "chance agreement is near zero and its 10 % is an excess; ± 5 points is half the paper's value",
    "cast / interactions top influence within ± 0.2 of 0.885": "the paper's range 0.023-0.026 gives 0.885; ± 0.2 "
    "allows another output scale while still telling 'comparable' from 'much weaker'",
    "every modality's top influence at least half the interactions'": "'comparatively high' read as not less than "
    "half; the paper's lowest modality reaches 0.885 of the interactions",
    "own cast above a random present person (interval above 0)": "'actors are strong influencers on other movies "
    "they have worked on' means more often than chance",
    "strongest person not in the film for at least a quarter of users": "the paper names two of its five movies "
    "(Gladiator, Casablanca) whose strongest person is not in the cast",
    f"named person strong: rank at most {TOP_K}": "the paper's Figure 1 clouds show about ten names per movie",
    "same epoch above a random non-cast person (interval above 0)": "'belongs to the same movie epoch' means more "
    "often than a person drawn at random from the user's input",
    "different reasons: one distinct strongest unit more than one shared reason": "one reason for all users is "
    "the alternative the paper's sentence rules out",
    "IG completeness gap at most 5 %": "the integration error of a few dozen steps; larger means too few steps",
    "removal test p at most 0.05": "the usual level for a one-sided test",
    "untrained network's agreement excess at least 0.05 (book check)": "the agreement claim's own band: a "
    "structural excess that large can by itself move our value out of it",
}
