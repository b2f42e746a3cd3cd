"""pytest plugin (entry point ``pytest11``): collects expert YAML cases as tests.

Any ``*.yaml`` file in a directory named ``yaml`` under a tests directory is collected: one
test item per case, failing with a table of the outputs that differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr

    from mesaides.core.api import Engine
    from mesaides.core.testing.yaml_cases import Check

_ENGINE = pytest.StashKey["Engine"]()


def _engine(config: pytest.Config) -> Engine:
    """One engine per test session, kept in the session's stash: loading partners is the slow part."""
    engine = config.stash.get(_ENGINE, None)
    if engine is None:
        from mesaides.core.api import Engine

        engine = config.stash[_ENGINE] = Engine()
    return engine


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> YamlCaseFile | None:
    if file_path.suffix == ".yaml" and file_path.parent.name == "yaml":
        return YamlCaseFile.from_parent(parent, path=file_path)
    return None


class YamlCaseFile(pytest.File):
    def collect(self) -> Iterator[YamlCaseItem]:
        from mesaides.core.testing.yaml_cases import load_cases

        for i, case in enumerate(load_cases(self.path)):
            yield YamlCaseItem.from_parent(self, name=f"{i + 1}: {case.get('name', '?')}", case=case)


class YamlCaseItem(pytest.Item):
    def __init__(self, *, case: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        from mesaides.core.testing.yaml_cases import run_case

        result = run_case(self.case, _engine(self.config), file=str(self.path))
        failed = [c for c in result.checks if not c.ok]
        if failed:
            raise YamlCaseFailure(failed)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Literal["long", "short", "line", "no", "native", "value", "auto"] | None = None,
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, YamlCaseFailure):
            lines = [f"{self.case.get('name', '?')}"]
            for c in excinfo.value.checks:
                lines.append(
                    f"  {c.name} [{c.entity_id}, {c.period}]: expected {c.expected}, got {c.got} (margin {c.margin})"
                )
            return "\n".join(lines)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"yaml case: {self.name}"


class YamlCaseFailure(AssertionError):
    def __init__(self, checks: list[Check]) -> None:
        super().__init__(f"{len(checks)} output(s) differ")
        self.checks = checks
