"""Experiments: deterministic assignment of customers to arms and a holdout, and the statistics that
compare the arms (intervals for conversion, its difference against the holdout, and money per
customer). Offers use it for every offer type (OFF-10); journeys reuse it."""
