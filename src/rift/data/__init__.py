"""Package data: municipalities, reference figures, parameters and geography."""
