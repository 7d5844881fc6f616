"""Every tfmigrate rule, one module per family; `ALL_RULES` is the registry."""

from tfmigrate.rules import removed_modules, tool
from tfmigrate.rule import Rule


def _rules_of(*modules) -> list[type[Rule]]:
    found = []
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule \
                    and getattr(value, "code", None) and value.__module__ == module.__name__:
                found.append(value)
    return sorted(found, key=lambda rule: rule.code)


ALL_RULES = _rules_of(removed_modules, tool)
BY_CODE = {rule.code: rule for rule in ALL_RULES}
