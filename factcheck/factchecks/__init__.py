"""Earlier fact-checks: the archive of verified claims and the matcher that finds them."""
