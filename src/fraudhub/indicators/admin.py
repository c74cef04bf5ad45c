"""No models to administer: this app ships data and pure functions."""
