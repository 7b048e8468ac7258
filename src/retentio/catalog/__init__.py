"""The catalogue: products, categories, premium variants, complements, consumption periods."""
