#!/bin/sh
# Renders the feed cases of tests/unit/feeds/feed-cases.ts and runs the W3C Feed Validation
# Service's checker on every RSS and Atom file. Needs the offline checker (default
# ../shared/tools/validate-feed, or $VALIDATE_FEED) and python3-lxml/html5lib/rdflib.
# Exits non-zero when the checker reports an error or a warning.
set -eu
cd "$(dirname "$0")/.."
checker="${VALIDATE_FEED:-../shared/tools/validate-feed}"
[ -x "$checker" ] || { echo "W3C feed checker not found at $checker (set VALIDATE_FEED)" >&2; exit 2; }
out="${1:-.warta/feed-validation}"
pairs=$(npx tsx tests/unit/feeds/write-feed-cases.ts "$out")
# shellcheck disable=SC2086 # one argument per file=url pair
status=0
report=$("$checker" $pairs) || status=$?
echo "$report"
if [ "$status" -ne 0 ] || echo "$report" | grep -qv ': 0 errors, 0 warnings$'; then exit 1; fi
