"""The book machinery, no science: what a notebook talks to (:mod:`.chapter`), claims and the rules that decide
their verdicts (:mod:`.claims`), the papermill runner (:mod:`.runner`), the regeneration check (:mod:`.check`), the
Jupyter Book build (:mod:`.site`) and the command line (:mod:`.cli`). Nothing below ``replicate/`` imports it."""
