"""Facts kept as YAML in `content/`: the district tree, funds, partners, projects."""
