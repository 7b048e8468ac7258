"""Value types every area shares: money in minor units, identifiers."""
