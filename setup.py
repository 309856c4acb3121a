"""Build step that ships the repository's data folders inside the package.

The demo district lives in `data/` and the Curtois & Qu instances in `benchmarks/curtois/`,
where a reader of the repository looks for them. A normal (non-editable) install copies them
into `roster/_shipped/` so that `roster init --demo` and `roster bench curtois` work from a
wheel; an editable install reads them where they are (`roster.shipped`).

It also compiles the translation catalogues (`roster/locale/<locale>/*.po`, one per part of
the program) into the gettext file the program loads, `LC_MESSAGES/roster.mo`.
"""

import importlib.util
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# folder in the repository -> folder under roster/_shipped/ ; the file patterns shipped
SHIPPED = {
    "data": ("demo", ("*.csv",)),
    "benchmarks/curtois": ("curtois", ("*.txt", "*.tsv", "*.md")),
}


class BuildWithShippedData(build_py):
    def run(self):
        super().run()
        for source, (name, patterns) in SHIPPED.items():
            target = Path(self.build_lib) / "roster" / "_shipped" / name
            target.mkdir(parents=True, exist_ok=True)
            for pattern in patterns:
                for path in sorted((HERE / source).glob(pattern)):
                    shutil.copyfile(path, target / path.name)
        catalogue = _catalogue_module()
        for folder in sorted(p for p in catalogue.LOCALE_DIR.iterdir() if p.is_dir()):
            catalogue.compile_into(Path(self.build_lib) / "roster" / "locale", folder.name)


def _catalogue_module():
    """roster/i18n/catalogue.py alone (Babel and the standard library): importing the
    `roster` package would need its run-time dependencies, which a build has not."""
    path = HERE / "roster" / "i18n" / "catalogue.py"
    spec = importlib.util.spec_from_file_location("roster_catalogue", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


setup(cmdclass={"build_py": BuildWithShippedData})
