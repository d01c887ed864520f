"""Models, one file each, as small ``torch.nn.Module``s with the paper's equations in the docstring."""
