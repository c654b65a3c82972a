"""babel with the locale data of the product's languages only (replaces PyInstaller's hook).

PyInstaller's own hook ships all of CLDR (~32 MB). The app formats for the
locales in ``app.i18n.LANGUAGES`` only; babel merges each locale with its
parents (``en_GB`` -> ``en_001`` -> ``en`` -> ``root``), so the files to ship
are found by letting babel load those locales and recording what it opens.
"""

from pathlib import Path

from PyInstaller import isolated
from PyInstaller.utils.hooks import get_package_paths

hiddenimports = ["babel.dates", "babel.localedata", "babel.plural", "babel.numbers"]


@isolated.decorate
def _locale_files_used():
    import babel.localedata as localedata
    from babel import Locale

    from app.i18n import LANGUAGES

    opened = set()
    resolve = localedata.resolve_locale_filename

    def recording(name):
        path = resolve(name)
        opened.add(path)
        return path

    localedata.resolve_locale_filename = recording
    localedata._cache.clear()
    for identifier in {*LANGUAGES.values(), "en"}:
        Locale.parse(identifier).currency_formats  # noqa: B018 - loads the data chain
    return sorted(opened)


_, _babel_dir = get_package_paths("babel")
datas = [(str(Path(_babel_dir, "global.dat")), "babel")]
datas += [(path, "babel/locale-data") for path in _locale_files_used()]
datas += [(str(Path(_babel_dir, "locale-data", "LICENSE.unicode")), "babel/locale-data")]
