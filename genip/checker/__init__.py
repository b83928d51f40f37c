"""Prompt checks: the policy engine (`policy`) that decides whether a prompt infringes, and its data files."""
