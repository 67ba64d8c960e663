"""Time: the service calendar, the scheduler process and its sweeps, outbound messages."""
