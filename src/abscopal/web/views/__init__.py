"""One module per page family; each builds a plain context dict and renders one template."""
