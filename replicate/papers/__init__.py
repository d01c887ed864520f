"""One package per paper. A paper package imports the shared modules below it, never another paper package."""
