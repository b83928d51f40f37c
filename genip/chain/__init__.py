"""Chain tooling: contract artifacts, a local anvil, deployment, the deployment record and the client."""
