"""Explanations, kept apart from the models they explain."""
