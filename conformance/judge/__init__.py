"""What judges an answer: signals, verdicts, outcomes, and the registered checks."""
