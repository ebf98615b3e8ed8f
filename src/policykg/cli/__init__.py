"""The command line: `policykg COMMAND`, one module per command, each with register(sub) and its run function."""
