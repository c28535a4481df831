#!/usr/bin/env bash
# The browser check of the lessons' HTML reports (issue 14, point 4).
#
# Builds, runs every lesson with --report into a temporary folder, opens each page in headless
# Chromium with `#selftest` (the page's own script then steps through every frame of every training
# record, presses Play, checks every chart's title lies inside its drawing and no attribute holds
# NaN or undefined, and writes the verdict into the page), reads the verdict from the DOM, and takes
# a screenshot per page into docs/report-<name>.png, and the README's picture of lesson 1's page
# (docs/report-screenshot.png). The sample page written by the LessonKit tests
# (.build/report-samples/training-record.html) holds a training record, so the scrubber is driven
# even while no lesson records one.
#
# Usage: scripts/check_reports.sh [--no-build]
# Needs Chromium (Debian: apt-get install chromium; or set CHROMIUM=/path/to/browser).
# Exit status: 0 when every page passes, 1 when one fails, 2 when there is no browser.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -z "$browser" ]; then
  echo "check_reports: no Chromium found (apt-get install chromium, or set CHROMIUM)" >&2
  exit 2
fi
if [ "${1:-}" != "--no-build" ]; then swift build || exit 1; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Headless Chromium as root needs --no-sandbox; a private profile keeps runs independent.
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --user-data-dir="$tmp/profile")
fail=0
pages=()
for n in 1 2 3 4; do
  # Run inside the temporary folder, so the page's "Run with" line reads `--report lessonN.html`.
  if (cd "$tmp" && "$root/.build/debug/lesson$n" --quiet --report "lesson$n.html") > "$tmp/lesson$n.log" 2>&1; then
    pages+=("lesson$n:$tmp/lesson$n.html")
  else
    echo "FAIL lesson$n: exited with status $? (log: $(tail -3 "$tmp/lesson$n.log"))"
    fail=1
  fi
done
sample=.build/report-samples/training-record.html
if [ ! -f "$sample" ]; then
  swift test --filter writeTheSamplePageForTheBrowserCheck > "$tmp/sample.log" 2>&1
fi
if [ -f "$sample" ]; then
  pages+=("training-record:$root/$sample")
else
  echo "FAIL training-record: the sample page was not written (swift test --filter writeTheSamplePage…)"
  fail=1
fi

mkdir -p docs
for entry in "${pages[@]}"; do
  name=${entry%%:*}
  page=${entry#*:}
  # Virtual time lets Play's timer run to the end without waiting for it in real time.
  dom=$(timeout 120 "$browser" "${flags[@]}" --virtual-time-budget=60000 --dump-dom "file://$page#selftest" 2>/dev/null)
  verdict=$(grep -o '<div id="selftest-result"[^<]*' <<<"$dom" | sed 's/.*">//')
  if ! grep -q 'data-selftest="pass"' <<<"$dom"; then
    echo "FAIL $name: ${verdict:-no self-test result in the page}"
    fail=1
  elif [ "$name" = training-record ] && ! grep -Eq ' [1-9][0-9]* records, [1-9][0-9]* frames' <<<"$verdict"; then
    echo "FAIL $name: the sample page's training record was not stepped through ($verdict)"
    fail=1
  else
    echo "ok   $name: $verdict"
  fi
  # Tall enough for a lesson's first charts; the sample page fits in 1600 px.
  height=3000; [ "$name" = training-record ] && height=1600
  if timeout 120 "$browser" "${flags[@]}" --virtual-time-budget=5000 --window-size=1000,$height \
      --screenshot="$root/docs/report-$name.png" "file://$page" > /dev/null 2>&1; then
    echo "     screenshot: docs/report-$name.png"
  else
    echo "FAIL $name: no screenshot"
    fail=1
  fi
done
# The README's picture: the top of `lesson1 --report lesson1.html`, the command its caption names.
mkdir -p "$tmp/readme"
if (cd "$tmp/readme" && "$root/.build/debug/lesson1" --report lesson1.html) > /dev/null 2>&1 &&
    timeout 120 "$browser" "${flags[@]}" --virtual-time-budget=5000 --window-size=900,2050 \
      --screenshot="$root/docs/report-screenshot.png" "file://$tmp/readme/lesson1.html" > /dev/null 2>&1; then
  echo "     screenshot: docs/report-screenshot.png (README)"
else
  echo "FAIL README screenshot: lesson1 --report or the browser failed"
  fail=1
fi
exit $fail
