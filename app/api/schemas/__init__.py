"""Request and response models, one family per resource (style habit 5)."""
