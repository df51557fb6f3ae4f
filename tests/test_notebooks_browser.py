"""The teaching notebooks as live apps in a real browser: served by ``marimo run``, opened in headless Chromium.

For each notebook: serve it with ``marimo run --headless`` on localhost, open it in Chromium (driven by
Playwright through ``executable_path``: the Debian ``chromium`` package, since Playwright's own browser download
is not reachable here), wait until every cell has rendered, and assert that

* every cell that has an output in ``app.run()`` (the script route) has one in the page, the figures are there as
  images and the widgets are there;
* no cell failed: no "An internal error occurred" notice in the page and no traceback in the server's log;
* moving a widget (arrow keys on a slider) changes another cell's output, and still nothing fails.

A screenshot of each notebook (its first widgets and what follows) is written to ``$THEORYLAB_SCREENSHOTS``
(default: pytest's temporary directory); the README's screenshots are these, made with
``THEORYLAB_SCREENSHOTS=notebooks/screenshots pytest -m browser``. The checker's own negative control serves a
deliberately broken notebook and asserts that the same checks report it.

Marked ``browser``: deselected by default, run with ``pytest -m browser`` (CI does, after installing Chromium);
skipped where no Chromium or no Playwright is installed (failed instead when ``THEORYLAB_REQUIRE_BROWSER`` is set).
"""
from __future__ import annotations

import contextlib
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.browser

NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / "notebooks"
REQUIRED = bool(os.environ.get("THEORYLAB_REQUIRE_BROWSER"))  # CI sets it: fail rather than skip


def _unavailable(why: str) -> None:
    if REQUIRED:
        pytest.fail(f"THEORYLAB_REQUIRE_BROWSER is set but {why}", pytrace=False)
    pytest.skip(why, allow_module_level=True)


try:
    from playwright import sync_api as playwright_api
except ImportError:
    _unavailable("Playwright is not installed (pip install -e '.[test]')")
CHROMIUM = os.environ.get("THEORYLAB_CHROMIUM") or next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
if CHROMIUM is None:
    _unavailable("no Chromium found (apt-get install chromium, or set THEORYLAB_CHROMIUM)")

# per notebook: the fewest figures (images) it draws at its default values, and the slider (a text in its label)
# whose move must change another cell's output
APPS = {
    "calibration": (2, "for C_"),
    "comp_sum": (2, "t for the witness"),
    "dis_vs_gen": (2, "correlation"),
    "icl": (3, "context length n"),
    "diagonal_nets": (3, "log10 α"),
    "own_claim": (1, "random pairs"),
}
RENDER_TIMEOUT = 180.0  # s: the slowest notebook runs in ~15 s on 2 busy cores; numba may compile on first use
ERROR_NOTICE = "An internal error occurred"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(path: pathlib.Path, log: pathlib.Path):
    """``marimo run --headless`` on a free localhost port: yields the URL; the server's output goes to ``log``."""
    port = _free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "marimo", "run", "--headless", "--no-token", "--port",
                                 str(port), "--host", "127.0.0.1", str(path)], stdout=out, stderr=subprocess.STDOUT,
                                cwd=path.parent)
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"marimo run did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def expected_outputs(path: pathlib.Path) -> int:
    """How many cells have an output when the notebook runs as a script (``app.run()``, in a subprocess)."""
    code = ("import importlib.util, sys; s = importlib.util.spec_from_file_location('nb', sys.argv[1]); "
            "m = importlib.util.module_from_spec(s); s.loader.exec_module(m); o, _ = m.app.run(); "
            "print(sum(x is not None for x in o))")
    res = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    return int(res.stdout.strip().splitlines()[-1])


def snapshot(page) -> list[str]:
    """The HTML of every cell output in page order."""
    return page.eval_on_selector_all(".output-area", "els => els.map(e => e.innerHTML)")


def wait_rendered(page, n_outputs: int, n_images: int, timeout: float = RENDER_TIMEOUT) -> list[str]:
    """Poll until ``n_outputs`` non-empty cell outputs and ``n_images`` images are present and stable for 2 s."""
    deadline, last, stable_since = time.monotonic() + timeout, None, None
    while time.monotonic() < deadline:
        outs = [h for h in snapshot(page) if h.strip()]
        ready = len(outs) >= n_outputs and page.locator(".output-area img").count() >= n_images
        if ERROR_NOTICE in page.inner_text("body"):
            return outs
        if ready and outs == last:
            if time.monotonic() - stable_since >= 2.0:
                return outs
        else:
            stable_since = time.monotonic()
        last = outs
        time.sleep(0.5)
    return last or []


def check_page(page, log: pathlib.Path, outs: list[str], n_outputs: int, n_images: int) -> list[str]:
    """What is wrong with a rendered page (empty when nothing is)."""
    problems = []
    if ERROR_NOTICE in page.inner_text("body"):
        problems.append(f"the page shows {ERROR_NOTICE!r}")
    server_log = log.read_text(errors="replace")
    if "Traceback" in server_log:
        problems.append("the server logged a traceback: " + server_log[server_log.index("Traceback"):][:1500])
    if len(outs) < n_outputs:
        problems.append(f"{len(outs)} cells rendered an output, {n_outputs} expected")
    n_img = page.locator(".output-area img").count()
    if n_img < n_images:
        problems.append(f"{n_img} images, at least {n_images} expected")
    return problems


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def screenshot_dir(tmp_path_factory):
    d = os.environ.get("THEORYLAB_SCREENSHOTS")
    path = pathlib.Path(d) if d else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _move_slider(page, label_text: str, presses: int = 3) -> None:
    """Focus the slider whose label contains ``label_text`` and press the right arrow ``presses`` times."""
    slider = page.locator("marimo-slider", has_text=label_text).locator("[role=slider]").first
    slider.focus()
    for _ in range(presses):
        page.keyboard.press("ArrowRight")


@pytest.mark.parametrize("name", sorted(APPS))
def test_notebook_renders_and_reacts(name, browser, screenshot_dir, tmp_path):
    path = NOTEBOOKS / f"{name}.py"
    n_images, slider = APPS[name]
    n_outputs = expected_outputs(path)
    log = tmp_path / "marimo.log"
    with serve(path, log) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(url)
        outs = wait_rendered(page, n_outputs, n_images)
        problems = check_page(page, log, outs, n_outputs, n_images)
        assert not problems, f"{name}: " + "; ".join(problems)
        n_widgets = page.locator("marimo-ui-element").count()
        assert n_widgets >= 1, f"{name}: no widget rendered"
        # the screenshot: the first widgets at the top of the window, and what they control below them
        widgets = page.locator(".output-area", has=page.locator("marimo-ui-element")).first
        widgets.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.mouse.move(640, 450)
        page.mouse.wheel(0, -40)
        time.sleep(0.5)
        page.screenshot(path=str(screenshot_dir / f"{name}.png"))
        if slider is not None:
            before = outs
            _move_slider(page, slider)
            deadline = time.monotonic() + RENDER_TIMEOUT
            while time.monotonic() < deadline:
                after = [h for h in snapshot(page) if h.strip()]
                changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b and "marimo-slider" not in a]
                if changed and after == wait_rendered(page, n_outputs, n_images, timeout=30):
                    break
                time.sleep(0.5)
            assert changed, f"{name}: moving the slider {slider!r} changed no output"
            problems = check_page(page, log, after, n_outputs, n_images)
            assert not problems, f"{name} after moving {slider!r}: " + "; ".join(problems)
        page.close()


BROKEN = '''import marimo
app = marimo.App()


@app.cell
def _():
    import marimo as mo
    s = mo.ui.slider(0, 10, value=3, show_value=True, label="broken slider")
    s
    return mo, s


@app.cell
def _(mo, s):
    mo.md(f"value {s.value}")
    return


@app.cell
def _(s):
    assert s.value != 3, "this cell fails on purpose"
    return


if __name__ == "__main__":
    app.run()
'''


def test_checker_reports_a_failing_cell(browser, tmp_path):
    """Negative control of the checks above: a notebook with a failing cell must be reported, not passed."""
    path = tmp_path / "broken.py"
    path.write_text(BROKEN)
    log = tmp_path / "marimo.log"
    with serve(path, log) as url:
        page = browser.new_page()
        page.goto(url)
        outs = wait_rendered(page, 3, 0, timeout=60)
        problems = check_page(page, log, outs, 3, 0)
        page.close()
    assert any(ERROR_NOTICE in p for p in problems) or any("traceback" in p for p in problems), problems
    assert any("cells rendered an output" in p for p in problems), problems
