"""Started by every Python process the suite runs while WAYPOINT_TEST_CLOCK is in use (see
tests/conftest.py, which puts this folder first on PYTHONPATH): the process's clock runs the
same number of seconds ahead of the machine's as the suite's own, so a scheduler, server or
xdist worker the suite starts keeps the suite's time."""

import os

_ahead = os.environ.get("WAYPOINT_TEST_CLOCK_AHEAD")
if _ahead:
    import time

    import time_machine

    time_machine.travel(time.time() + float(_ahead), tick=True).start()
