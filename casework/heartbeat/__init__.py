"""The scheduler's heartbeat and the readiness check built on it (issue 17): when the
scheduler last swept, recorded after every run, and whether this instance is ready to serve."""
