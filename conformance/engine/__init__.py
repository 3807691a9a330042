"""The engine: cases (one or more per requirement), the checks and oracle that judge responses,
the runner that turns outcomes into verdicts, and the pytest plugin that runs it all."""
