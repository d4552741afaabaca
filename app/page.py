"""The page: one ``AppSession`` per browser session, controls on the left, the toolbar, map,
charts and comparison on the right.

``solara run visualize.py`` serves ``Page``; tests render ``App`` with a small session.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import solara

from app.compare import Bands
from app.context import Ctx
from app.controls import Controls
from app.fonts import CSS_FONT_STACK, cjk_font_installed
from app.i18n import tr
from app.session import AppSession
from app.views import ChartsPanel, ComparePanel, MapPanel, Toolbar

CSS = f"""
.cyflow-page, .cyflow-page .v-application, .v-application, body {{
    font-family: {CSS_FONT_STACK} !important;
}}
.cyflow-node-table {{ font-size: 12px; border-collapse: collapse; width: 100%; }}
.cyflow-node-table td, .cyflow-node-table th {{ padding: 1px 4px; border-bottom: 1px solid #eee; }}
.cyflow-controls .v-input, .cyflow-page .v-input--selection-controls {{
    margin-top: 0 !important; padding-top: 0 !important;
}}
.cyflow-controls .v-messages, .cyflow-page .v-input--selection-controls .v-messages {{
    min-height: 0 !important;
}}
.cyflow-controls .v-input__slot {{ margin-bottom: 2px !important; }}
.cyflow-charts svg text, .cyflow-map svg text {{ font-family: {CSS_FONT_STACK}; }}
"""


@solara.component
def App(make_session: Callable[[], AppSession] = AppSession) -> None:
    """The whole app around a session made by ``make_session`` (once per browser session: a
    model at module level would be shared by every visitor)."""
    session = solara.use_memo(make_session, [])
    lock = solara.use_memo(threading.RLock, [])
    version, set_version = solara.use_state(0)
    lang, set_lang = solara.use_state("en")
    error, set_error = solara.use_state(None)
    playing = solara.use_reactive(False)
    bands = solara.use_reactive(None)

    def bump() -> None:
        set_version(lambda v: v + 1)

    ctx = Ctx(session, version, lang, set_lang, error, set_error, bump, lock)
    # replicate bands belong to the settings they were run with
    made_for, made = bands.value if bands.value is not None else (None, None)
    current_bands: Bands | None = made if made_for is session.settings else None

    solara.Title(tr("title", lang))
    solara.Style(CSS)
    with solara.Column(classes=["cyflow-page"], style={"padding": "8px 14px"}):
        solara.Text(tr("title", lang), style={"font-size": "1.35em", "font-weight": "bold"},
                    classes=["cyflow-title"])
        if error:
            solara.Error(f"{tr('error', lang)}: {error}", dense=True, classes=["cyflow-error"])
        for note in session.notes:
            solara.Warning(f"{tr('warning', lang)}: {note}", dense=True)
        if lang == "zh" and cjk_font_installed() is False:
            solara.Warning(tr("cjk_missing", lang), dense=True)
        with solara.Columns([1, 3], gutters_dense=True):
            with solara.Column(style={"max-height": "calc(100vh - 90px)", "overflow-y": "auto"}):
                Controls(ctx)
            with solara.Column(gap="8px"):
                Toolbar(ctx, playing)
                MapPanel(ctx)
                solara.Text(tr("charts", lang), style={"font-weight": "bold"})
                ChartsPanel(ctx, current_bands)
                ComparePanel(ctx, bands, current_bands)


@solara.component
def Page() -> None:
    """The page ``solara run visualize.py`` serves."""
    App()
