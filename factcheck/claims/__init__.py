"""Claims: splitting essays into checkable claims, and the claim workflow."""

from factcheck.claims.checkworthiness import score
from factcheck.claims.extraction import ExtractedClaim, Quantity, split
from factcheck.claims.segmentation import sentences

__all__ = ["ExtractedClaim", "Quantity", "score", "sentences", "split"]
