"""The demo marketplace: seed content (`seed`) and the one-command local stack (`stack`)."""
