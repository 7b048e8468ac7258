"""Where each customer stands: RFM, lifecycle, Hunt's ladder, bad customers, custom segments."""
