"""A plugin that fails to import (e.g. a missing dependency)."""

raise ImportError("нет модуля nastavnik_missing_dependency")
