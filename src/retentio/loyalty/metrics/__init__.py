"""The loyalty programme's figures (ANA-1, ANA-2): redemption, breakage and enrolment rates, members
against the other customers, the programme's ROI, loyalty rating, bonus value and the liability, each
with its definition, computed from the ledger's entries and the base's orders for a period."""
