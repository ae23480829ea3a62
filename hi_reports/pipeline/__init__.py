"""The pipeline of one edition, the API the CLI, the batch and the literate chapters call."""
