"""The CommonMark spec examples and an HTML normaliser to compare renderers with them."""
