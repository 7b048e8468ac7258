"""Earning from the shop's events: the log's consumer that enrols customers in each programme,
credits orders (pending for the return window), takes points back on cancellations and returns,
rewards actions (registration, subscription, review, profile completion, birthday), refuses rewards to
customers flagged not to incentivise (recorded), and keeps each member's tier with its history.
docs/loyalty-earning.md explains the rules with worked examples."""
