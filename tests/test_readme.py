"""The README stays true: every setting is in its configuration table."""

from pathlib import Path

from app.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_setting_is_documented_in_the_readme():
    missing = [f"FOLLOWUP_{name.upper()}" for name in Settings.model_fields if f"`FOLLOWUP_{name.upper()}`" not in README]
    assert not missing, f"add these to README.md's configuration table: {missing}"


def test_the_readme_names_the_two_quick_start_commands():
    assert "make run" in README and "make test" in README
