"""`showroom` with SQLite's page limit under a test's control: a full disk where no small
filesystem can be mounted (an unprivileged CI). SQLite answers SQLITE_FULL, as it does for a
full disk, when a write needs a page past the limit.

    python -m tests.system.page_limit CONTROL_FILE serve --config ...

While CONTROL_FILE holds "full", the writer's connection may not grow the database; any
other content lifts the limit. (Unlike a real full disk it fails only the writes that need a
new page, and the photo files are still written.)
"""

import sys
from pathlib import Path

from actors.persistence import PersistenceActor
from showroom.cli import main

NO_LIMIT = 1073741823
control = Path(sys.argv[1])
_apply = PersistenceActor._apply


def _apply_within_the_limit(self, writes):
    full = control.exists() and control.read_text().strip() == "full"
    # a limit below the current size is taken as the current size: nothing may grow
    self._db.execute_sql(f"PRAGMA max_page_count = {1 if full else NO_LIMIT}")
    return _apply(self, writes)


PersistenceActor._apply = _apply_within_the_limit

if __name__ == "__main__":
    sys.exit(main(sys.argv[2:]))
