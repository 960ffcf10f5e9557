"""The policy mutation check: widen each ``ACTIONS`` entry by one role in turn and show that some test fails.

    .venv/bin/python scripts/widen_policy.py                 # every action, widened by one role each
    .venv/bin/python scripts/widen_policy.py records.view    # only these actions
    .venv/bin/python scripts/widen_policy.py --all-roles     # every action by every role it lacks (slow)

For each mutation the permission matrix runs for the widened role (``-k <role>``) and then the policy's own
tests, each in one process stopping at the first failure (``-x``; exit status 1) under the environment variable
``PB_WIDEN_POLICY`` that tests/conftest.py applies, on one test database kept between the runs (``--reuse-db``).
A mutation no test notices "survives": the script prints them and exits 1.
Needs DATABASE_URL like the suite (the test database is made from it). Last result: see docs/ARCHITECTURE.md.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")

import django  # noqa: E402

django.setup()

from kernel.policy import _WRITING, ACTIONS, ROLE_SPECS  # noqa: E402

#: the order in which one role is chosen to widen an entry: the one whose wrong access matters most first
PREFERENCE = ("auditor", "leader", "staff", "inspector", "secretary")
MATRIX = "tests/test_permission_matrix.py"
POLICY_TESTS = ["tests/test_one_policy.py", "tests/kernel/test_policy.py", "tests/kernel/test_audit.py",
                "tests/orgs/test_picker.py", "tests/orgs/test_scoping.py"]


def candidates(action):
    """Roles an entry lacks that could be added to it (a read-only role is refused a writing action at import)."""
    return [role for role in PREFERENCE if role not in ACTIONS[action]
            and not (action in _WRITING and ROLE_SPECS[role].read_only)]


def fails(action, role):
    """Does some test fail with ``action`` widened by ``role``? (the matrix for that role first, then the rest)"""
    env = {**os.environ, "PB_WIDEN_POLICY": f"{action}:{role}"}
    base = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "--reuse-db"]
    for args in ([MATRIX, "-k", role], [path for path in POLICY_TESTS if (ROOT / path).exists()]):
        if subprocess.run([*base, *args], cwd=ROOT, env=env, capture_output=True).returncode == 1:
            return True
    return False


def main(argv):
    all_roles = "--all-roles" in argv
    actions = [a for a in argv if not a.startswith("--")] or list(ACTIONS)
    survived = []
    for action in actions:
        roles = candidates(action)
        for role in roles if all_roles else roles[:1]:
            started = time.monotonic()
            caught = fails(action, role)
            print(f"{action:28} + {role:10} {'caught' if caught else 'SURVIVED'} ({time.monotonic() - started:.0f} s)",
                  flush=True)
            if not caught:
                survived.append(f"{action}+{role}")
    print(f"{len(survived)} surviving mutations" + (f": {', '.join(survived)}" if survived else ""))
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
