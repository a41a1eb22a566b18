"""A built wheel carries everything the app needs: templates, migrations, htmx, seed templates."""

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _data_files() -> dict[str, list[str]]:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg", encoding="utf-8")
    section = parser["options.data_files"]
    return {target: [p.strip() for p in sources.replace("\n", ",").split(",") if p.strip()]
            for target, sources in section.items()}


def test_every_template_folder_and_migration_is_shipped():
    shipped = {pattern for patterns in _data_files().values() for pattern in patterns}
    files = {p.relative_to(ROOT) for p in (ROOT / "templates").rglob("*.html")}
    files |= {p.relative_to(ROOT) for p in (ROOT / "migrations").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    missing = [str(f) for f in files if not any(f.match(pattern) and len(f.parts) == len(Path(pattern).parts)
                                               for pattern in shipped)]
    assert not missing, f"add these to [options.data_files] in setup.cfg: {sorted(missing)}"


def test_static_vendor_and_seed_data_are_package_data():
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg", encoding="utf-8")
    package_data = parser["options.package_data"]["nastavnik"]
    assert "static/**/*" in package_data and "roadmaps/data/*.json" in package_data
