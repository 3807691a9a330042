"""The engine: run settings, the run session and a case's context, the case registry, the property
loop, the runner that turns outcomes into verdicts, and the results document."""
