"""Rule engine and the registered check functions (one module per department's checks)."""
