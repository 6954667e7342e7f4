import pytest

from domain.rulebook import RulebookRegistry


@pytest.fixture(scope="session")
def registry() -> RulebookRegistry:
    return RulebookRegistry.load()
