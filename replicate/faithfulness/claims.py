"""The faithfulness chapter's claims, declared before the run: the book's own questions about the explainers of the
book's recommenders, each with its rule and its null. All are of kind ``book``: no paper states them for these models.

The readings (:mod:`replicate.faithfulness.study`): DEL is the area over ``Ke = 1 .. K`` of the drop of the target's
score when the top ``Ke`` history items of an explanation are removed, without retraining (higher is more faithful);
gains are paired over the same users and targets, with bootstrap 95 % intervals.
"""

from __future__ import annotations

from replicate.core.claims import AtLeast, AtMost, Declared, Exceeds, declare

MODELS = {
    "reconet": "RecoNet",
    "reconet_layer": "RecoNet + Layer",
    "multvae": "Mult-VAE",
    "ease": "EASE",
    "emde": "EMDE",
}
OWN = ("reconet", "reconet_layer", "ease", "emde")  # models with an explanation of their own (LRP; x·B; decoded IG)
OWN_TOLERANCE = -0.05  # "at least as faithful": the own explanation's DEL at most 5 % below the best generic one's
RANDOMISATION_BOUND = 0.5  # an explainer "changes" when its mean rank correlation with the randomised model's is <= 0.5
RETRAIN_TAU = 0.6  # "the same order": Kendall's tau of at least 0.6 between the orders without and with retraining

LXR = "Barkan et al., WWW 2024 (LXR): the counterfactual protocol"
SECOND_RANDOM = "one more random order of the same users' history items, against the random floor (the mean of ten)"
RANDOM_OWN = "the random order in the own explanation's place"
POPULARITY = "the popularity order of the history items (does not depend on the model: correlation one)"


def _per_model(key: str, name: str) -> list[Declared]:
    out = [
        Declared(
            f"beats_random_{key}",
            f"{name}: every explainer's DEL beats the random order's (smallest paired gain over users)",
            "book",
            Exceeds(0.0),
            reason="the random order is the floor every explanation must clear; the whole interval of the weakest "
            "explainer's gain must lie above zero",
            where=LXR,
            null=SECOND_RANDOM,
            regen_abs=0.5,
        ),
        Declared(
            f"ig_real_beats_zero_{key}",
            f"{name}: IG with baselines from real users' histories beats IG from an empty history (paired DEL gain)",
            "book",
            Exceeds(0.0),
            reason="SPINRec (Barkan et al., AAAI 2026) reports that the all-zero baseline gives weak signals on "
            "sparse binary histories",
            where="Barkan et al., AAAI 2026 (SPINRec)",
            null="the random order in place of IG with real-user baselines, against IG from an empty history",
            regen_abs=0.5,
        ),
        Declared(
            f"randomisation_{key}",
            f"{name}: explanations change when the weights are re-drawn (highest mean rank correlation over the "
            "explainers, trained vs randomised model)",
            "book",
            AtMost(RANDOMISATION_BOUND),
            reason="an explanation that survives re-drawing every weight explains the input, not the model "
            "(Adebayo et al. 2018); a correlation of one half or less is a clear change",
            where="Adebayo et al., NeurIPS 2018 (model-parameter randomisation)",
            null=POPULARITY,
            regen_abs=0.5,
        ),
    ]
    if key in OWN:
        out.append(
            Declared(
                f"own_vs_best_{key}",
                f"{name}: its own explanation is at least as faithful as the best generic one (DEL, relative "
                "difference)",
                "book",
                AtLeast(OWN_TOLERANCE),
                reason="a model's own explanation should be no worse than a generic one; 'at least as faithful' "
                "allows 5 % less",
                where="this book (issue 32)",
                null=RANDOM_OWN,
                regen_abs=0.5,
            )
        )
    return out


CLAIMS = declare(
    *[claim for key, name in MODELS.items() for claim in _per_model(key, name)],
    Declared(
        "retraining_order_ease",
        "EASE: the explainers' order by DEL without retraining is the order with retraining (Kendall's tau)",
        "book",
        AtLeast(RETRAIN_TAU),
        reason="the cheap protocol is worth what its order of explainers shares with the retrained one (ACCENT "
        "retrains); tau of 0.6 or more is a mostly shared order",
        where="Tran et al. 2021 (ACCENT)",
        null="each user's readings with retraining shuffled among the explainers (no explainer differs)",
        regen_abs=1.0,
    ),
    Declared(
        "skip_gates_beat_random",
        "Interpretable skip transformer: masking the feature group its gates attribute most moves the predicted skip "
        "probabilities more than masking a random group (paired Δprob gain over sessions)",
        "book",
        Exceeds(0.0),
        reason="the gates are the model's own explanation over feature groups; a faithful one names a group the "
        "predictions rest on, so masking it must move them more than masking a group at random",
        where="this book (issue 32); the skip chapter's mixture of restricted experts",
        null="a second random group against the first",
        regen_abs=0.5,
    ),
)
