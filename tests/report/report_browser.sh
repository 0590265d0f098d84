#!/usr/bin/env bash
# The sweep report in a real browser (Debian's chromium, headless): a shortened demo sweep (general
# model, fine-tuning, fine-tuning with the outlier loss; 1 rank) remakes runs/<name>/report/index.html
# after every step; chromium then opens the final page from file:// and the test checks that it
# loads without console errors, that every image loads, that the status table has one row per run,
# that each AUROC table holds the analysis' own values (metrics.csv, in %), and that a screenshot
# is not blank. The harness is tested too: a page with a script error and a missing image must be
# caught. Usage: report_browser.sh HIERAD [SCREENSHOT_COPY]
set -euo pipefail
hierad=$1
copy=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
command -v chromium >/dev/null || { echo "SKIP: chromium is not installed (launch/apt-packages.txt)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$repo/tests/common/test_env.sh"
py=/usr/bin/python3

# browse PAGE NAME: DOM after load, console messages and a screenshot of PAGE.
browse() {
  local page=$1 name=$2
  local flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp/chromium-$name"
               --allow-file-access-from-files --enable-logging=stderr --v=0 --virtual-time-budget=10000)
  timeout 120 chromium "${flags[@]}" --dump-dom "file://$page" >"$tmp/$name.dom" 2>"$tmp/$name.console" || true
  timeout 120 chromium "${flags[@]}" --window-size=1280,1800 --screenshot="$tmp/$name.png" "file://$page" \
    >/dev/null 2>>"$tmp/$name.console" || true
}
# console_errors NAME: the page's console errors (uncaught exceptions, failed loads), one per line.
console_errors() { grep -E 'CONSOLE|Uncaught' "$tmp/$1.console" | grep -iE 'error|uncaught|failed' || true; }

echo "== the harness catches a broken page"
cat >"$tmp/broken.html" <<'HTML'
<!DOCTYPE html><html><body><img src="missing.png"><p id="image-check"></p>
<script>window.addEventListener('load', () => { const b = Array.from(document.images).filter(i => i.naturalWidth === 0);
document.getElementById('image-check').dataset.broken = b.length; }); undefinedFunction();</script></body></html>
HTML
browse "$tmp/broken.html" broken
[[ -n $(console_errors broken) ]] || { echo "FAIL: the script error was not seen"; cat "$tmp/broken.console"; exit 1; }
grep -q 'data-broken="1"' "$tmp/broken.dom" || { echo "FAIL: the missing image was not seen"; cat "$tmp/broken.dom"; exit 1; }
echo "ok: a script error and a missing image are caught"

echo "== a shortened demo sweep, its page remade after every step"
export DEMO_DATA=$tmp/demo-data
$py "$repo/launch/make_demo_data.py" "$DEMO_DATA" >/dev/null
cat >"$tmp/short.toml" <<TOML
inherit = "$repo/experiments/demo/demo.toml"
name = "report-test"
output_dir = "$tmp/runs"
[model]
device = "cpu"
[train]
steps = 20
log_every = 5
checkpoint_every = 10
[analysis]
input_complexity = false
[stages.general.train]
steps = 30
checkpoint_every = 15
[stages.fmnist.train]
validate_every = 10
[stages.fmnist_outlier.train]
validate_every = 10
TOML
"$hierad" sweep "$tmp/short.toml" >"$tmp/sweep.log" 2>&1 || { cat "$tmp/sweep.log"; exit 1; }
! grep -q "report not remade" "$tmp/sweep.log" || { cat "$tmp/sweep.log" "$tmp/runs/report-test/report/log.txt"; exit 1; }
page=$tmp/runs/report-test/report/index.html
[[ -s $page ]] || { echo "FAIL: no page"; exit 1; }
[[ $(grep -c "wrote $page" "$tmp/runs/report-test/report/log.txt") -ge 7 ]] ||
  { echo "FAIL: the page was not remade after every step"; cat "$tmp/runs/report-test/report/log.txt"; exit 1; }

echo "== chromium opens it"
browse "$page" report
if [[ -n $(console_errors report) ]]; then echo "FAIL: console errors:"; console_errors report; exit 1; fi
$py - "$tmp/report.dom" "$tmp/runs/report-test" "$tmp/report.png" <<'PY'
import csv, glob, html.parser, os, sys
import numpy as np
from PIL import Image
dom, runs_dir, shot = sys.argv[1:4]

class Tables(html.parser.HTMLParser):
    """Every table by id: its rows as lists of cell texts; and the image check's attributes."""
    def __init__(self):
        super().__init__(); self.tables = {}; self.stack = []; self.cell = None; self.check = {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table": self.stack.append(a.get("id", f"anonymous-{len(self.tables)}")); self.tables[self.stack[-1]] = []
        elif tag == "tr" and self.stack: self.tables[self.stack[-1]].append([])
        elif tag in ("td", "th") and self.stack: self.cell = ""
        if a.get("id") == "image-check": self.check = a
    def handle_endtag(self, tag):
        if tag == "table" and self.stack: self.stack.pop()
        elif tag in ("td", "th") and self.cell is not None and self.stack:
            self.tables[self.stack[-1]][-1].append(self.cell.strip()); self.cell = None
    def handle_data(self, data):
        if self.cell is not None: self.cell += data

p = Tables(); p.feed(open(dom).read())
images, broken = int(p.check.get("data-images", -1)), int(p.check.get("data-broken", -1))
assert images > 20 and broken == 0, f"images {images}, broken {broken}: {p.check}"
runs = sorted(d for d in glob.glob(f"{runs_dir}/*/status.toml"))
status = p.tables["status"]
assert len(status) - 1 == len(runs) == 3, f"status rows {len(status) - 1}, runs {len(runs)}"
assert all(row[2] == "done" for row in status[1:]), status
checked = 0
for metrics in glob.glob(f"{runs_dir}/*/report/metrics.csv"):
    run = metrics.split("/")[-3]
    table = p.tables[f"auroc-run-{run}-in_dist_test"]
    kinds, rows = table[0][1:], {row[0]: row[1:] for row in table[1:]}
    for r in csv.DictReader(open(metrics)):
        if r["metric"] != "auroc": continue
        shown = rows[r["ood_set"]][kinds.index(r["score_kind"])]
        assert shown.split(" ")[0] == f"{100 * float(r['mean']):.1f}", (run, r, shown)
        checked += 1
assert checked >= 2 * 3 * 5, checked   # two analysed runs, three OOD sets, every score kind
pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
assert pixels.std() > 20 and (pixels < 128).mean() > 0.01, f"blank screenshot? std {pixels.std():.1f}"
print(f"page ok: {images} images loaded, {len(runs)} status rows, {checked} AUROC cells equal to metrics.csv, "
      f"screenshot {pixels.shape[1]}x{pixels.shape[0]} std {pixels.std():.0f}")
PY
[[ -z $copy ]] || cp "$tmp/report.png" "$copy"
echo "report page passes in chromium"
