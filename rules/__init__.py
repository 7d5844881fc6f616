"""Every tfmigrate rule, one module per family; `ALL_RULES` is the registry.

Family modules are found by name: a new module in this package registers its rules.
"""

import importlib
import pkgutil

from tfmigrate.rule import Rule


def _discover() -> list[type[Rule]]:
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule \
                    and getattr(value, "code", None) and value.__module__ == module.__name__:
                found.append(value)
    return sorted(found, key=lambda rule: rule.code)


ALL_RULES = _discover()
BY_CODE = {rule.code: rule for rule in ALL_RULES}
