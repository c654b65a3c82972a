"""How a database's sync stands, in words (the status bar and ``sync status``)."""

from __future__ import annotations

from app.i18n import _, format_datetime, ngettext
from app.sync.engine import SyncStatus


def status_words(state: SyncStatus) -> str:
    """One line: online or not, entries waiting, refused ones, the last successful sync."""
    if state.mode == "desktop":
        return _("Desktop: this database is not a branch and does not sync.")
    if state.mode == "connected":
        if state.online:
            return _("Connected to the shared server.")
        return _("The shared server does not answer.")
    parts = [_("Online") if state.online else _("Offline: working locally")]
    if state.pending:
        parts.append(
            ngettext(
                "{n} entry waiting to be sent", "{n} entries waiting to be sent", state.pending
            ).format(n=state.pending)
        )
    else:
        parts.append(_("everything sent"))
    if state.rejected:
        parts.append(
            ngettext(
                "{n} entry refused by the server",
                "{n} entries refused by the server",
                state.rejected,
            ).format(n=state.rejected)
        )
    if state.last_sync is not None:
        when = format_datetime(state.last_sync.astimezone())
        parts.append(_("last sync {when}").format(when=when))
    else:
        parts.append(_("not synced yet"))
    return " · ".join(parts)
