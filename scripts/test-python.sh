#!/usr/bin/env bash
# The Python client's checks (docs/python.md): a venv on Debian's interpreter that sees Debian's
# pytest, mypy and setuptools (--system-site-packages; only the npm registry and Debian's
# packages are reachable, hence --no-build-isolation --no-index), the client installed into it,
# mypy --strict on the package and the examples, then pytest against a real `breakerbox serve`.
# Extra arguments go to pytest. pytest's "no tests collected" (exit 5) fails like any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${BREAKERBOX_PYTHON:-/usr/bin/python3}
VENV=${BREAKERBOX_PY_VENV:-node_modules/.cache/breakerbox-python-venv}
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv --system-site-packages "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --no-build-isolation --no-index --no-deps --disable-pip-version-check ./clients/python
rm -rf clients/python/build clients/python/src/*.egg-info
echo "mypy --strict: clients/python/src examples/python clients/python/tests"
"$VENV/bin/python" -m mypy --strict --no-incremental clients/python/src/breakerbox_client examples/python clients/python/tests
"$VENV/bin/python" -m pytest -p no:cacheprovider clients/python/tests "$@"
