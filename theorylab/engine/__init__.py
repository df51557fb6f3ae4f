"""The claim engine: claims, evidence, the runner and figures (the top layer of the package)."""
from .claim import Claim, Context, Evidence, Outcome, Source, Tally, claim
from .discovery import all_claims, select
from .figures import FigureResult, figure
from .report import run_module
from .runner import evaluate, run

__all__ = ["Claim", "Context", "Evidence", "Outcome", "Source", "Tally", "all_claims", "claim", "select",
           "FigureResult", "figure", "evaluate", "run", "run_module"]
