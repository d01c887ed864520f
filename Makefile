# Shortcuts for the README's two commands (tasks.py needs nothing but Python 3.11).
.PHONY: book test
book:
	python3 tasks.py book
test:
	python3 tasks.py test
