"""The offer policy (OFF-9): its settings file, the pure decision with its reasons, issuing the
offer (a personal time-limited code, or points) once per occasion, the decision log, what a customer
holds, and the A/B results of the policy's experiments (OFF-10)."""
