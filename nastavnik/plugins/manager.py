"""Builds the per-app plugin manager: internal plugins, entry points, registries, blueprints.

A plugin that fails to import, fails validation (``check_pending``), returns bad or duplicate
registry values or fails to register its blueprint is logged, unregistered and listed as broken;
the app keeps running without it.
"""

from __future__ import annotations

import importlib
import logging
import traceback
from dataclasses import dataclass, field
from importlib.metadata import entry_points

import pluggy
from flask import Flask, current_app

from nastavnik import __version__
from nastavnik.plugins import ENTRY_POINT_GROUP, PROJECT, spec
from nastavnik.plugins.registry import REGISTRY_HOOKS, Registry, add_contribution, validate_contribution

log = logging.getLogger(__name__)

# The core's own capabilities, registered through the same hooks as any plugin.
INTERNAL_PLUGINS = (
    "nastavnik.auth",
    "nastavnik.orgs",
    "nastavnik.participants",
    "nastavnik.consents",
    "nastavnik.audit",
    "nastavnik.banks",
    "nastavnik.pairs",
    "nastavnik.agreements",
    "nastavnik.programmes",
    "nastavnik.roadmaps",
    "nastavnik.recognition",
    "nastavnik.monitoring",
    "nastavnik.events",
    "nastavnik.admin",
    "nastavnik.dashboard",
    "nastavnik.reports",
    "nastavnik.accounts",
)


@dataclass
class PluginInfo:
    name: str
    version: str
    internal: bool = False
    state: str = "active"  # active | disabled | broken
    error: str = ""
    details: str = ""
    module: str = ""
    contributes: list[str] = field(default_factory=list)

    @property
    def state_title(self) -> str:
        return {"active": "работает", "disabled": "отключён", "broken": "ошибка"}[self.state]


@dataclass
class PluginState:
    pm: pluggy.PluginManager
    registry: Registry
    infos: dict[str, PluginInfo]
    permissions: dict[str, set[str]] = field(default_factory=dict)  # role -> what plugins add

    def external(self) -> list[PluginInfo]:
        return [info for info in self.infos.values() if not info.internal]


def _plugin_name(obj) -> str:
    """``plugins.teacher_teacher.plugin`` -> ``teacher_teacher``; any other object -> its name."""
    module = getattr(obj, "__name__", type(obj).__name__)
    parts = module.split(".")
    return parts[-2] if len(parts) > 1 and parts[-1] == "plugin" else parts[-1]


def _candidates(plugins):
    """(name, loader, version, module path) for every plugin to try, without importing yet."""
    if plugins is not None:  # tests pass exact plugin objects
        return [(_plugin_name(p), (lambda p=p: p), "—", getattr(p, "__name__", "")) for p in plugins]
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        version = ep.dist.version if ep.dist else "—"
        found.append((ep.name, ep.load, version, ep.value))
    return sorted(found, key=lambda c: c[0])


def _mark_broken(state: PluginState, name: str, exc: BaseException) -> None:
    state.pm.unregister(name=name) if state.pm.has_plugin(name) else None
    _forget_contributions(state.registry, name)
    info = state.infos[name]
    info.state = "broken"
    info.contributes = []
    info.error = f"{type(exc).__name__}: {exc}"
    info.details = "".join(traceback.format_exception(exc))
    log.error("Плагин %s пропущен: %s", name, info.error)


def _forget_contributions(registry: Registry, name: str) -> None:
    """A plugin that breaks after its values were registered (its blueprint) must not leave them behind."""
    for (attribute, code), owner in list(registry.owner.items()):
        if owner == name:
            getattr(registry, attribute).pop(code, None)
            del registry.owner[(attribute, code)]


def _register(state: PluginState, name: str, loader) -> None:
    module = loader()
    state.pm.register(module, name=name)
    try:
        state.pm.check_pending()  # a misspelled hook implementation must not pass silently
    except pluggy.PluginValidationError:
        state.pm.unregister(name=name)
        raise


def _collect_registries(state: PluginState, order: list[str]) -> None:
    """Per plugin, all of its registry values are taken or none (atomic per plugin)."""
    for name in order:
        plugin = state.pm.get_plugin(name)
        if plugin is None:
            continue
        pending = Registry(**{k: dict(v) for k, v in vars(state.registry).items()})
        accepted = []
        try:
            for hook_name in REGISTRY_HOOKS:
                impl = getattr(plugin, hook_name, None)
                if impl is None:
                    continue
                values = validate_contribution(name, hook_name, impl(), pending)
                add_contribution(name, hook_name, values, pending)
                accepted.append((hook_name, values))
        except Exception as exc:  # noqa: BLE001 - a plugin's fault must not stop the app
            _mark_broken(state, name, exc)
            continue
        for hook_name, values in accepted:
            add_contribution(name, hook_name, values, state.registry)
            state.infos[name].contributes += [f"{hook_name}: {v.code}" for v in values]


def _collect_permissions(state: PluginState, order: list[str]) -> None:
    for name in order:
        plugin = state.pm.get_plugin(name)
        impl = getattr(plugin, "nastavnik_permissions", None) if plugin else None
        if impl is None:
            continue
        try:
            granted = {str(role): {str(p) for p in permissions} for role, permissions in (impl() or {}).items()}
        except Exception as exc:  # noqa: BLE001 - a plugin's fault must not stop the app
            _mark_broken(state, name, exc)
            continue
        for role, permissions in granted.items():
            state.permissions.setdefault(role, set()).update(permissions)
        state.infos[name].contributes += [f"nastavnik_permissions: {role}" for role in sorted(granted)]


def _load_blueprints(app: Flask, state: PluginState, order: list[str]) -> None:
    for name in order:
        plugin = state.pm.get_plugin(name)
        impl = getattr(plugin, "nastavnik_load_blueprints", None) if plugin else None
        if impl is None:
            continue
        try:
            impl(app=app)
        except Exception as exc:  # noqa: BLE001
            if state.infos[name].internal:
                raise
            _mark_broken(state, name, exc)


def build_plugin_manager(app: Flask, plugins=None) -> PluginState:
    """Load internal plugins, then ``plugins`` (for tests) or the entry points; see module doc."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(spec)
    state = PluginState(pm=pm, registry=Registry(), infos={})
    for module_name in INTERNAL_PLUGINS:
        pm.register(importlib.import_module(module_name), name=module_name)
        state.infos[module_name] = PluginInfo(module_name, __version__, internal=True, module=module_name)
    pm.check_pending()

    disabled = set(app.config.get("DISABLED_PLUGINS") or ())
    order = list(INTERNAL_PLUGINS)
    for name, loader, version, module_path in _candidates(plugins):
        state.infos[name] = PluginInfo(name, version, module=module_path)
        if name in disabled:
            pm.set_blocked(name)
            state.infos[name].state = "disabled"
            continue
        try:
            _register(state, name, loader)
        except Exception as exc:  # noqa: BLE001
            _mark_broken(state, name, exc)
            continue
        order.append(name)

    _collect_registries(state, order)
    _collect_permissions(state, order)
    _load_blueprints(app, state, order)
    app.extensions["nastavnik"] = state
    return state


def plugin_state() -> PluginState:
    return current_app.extensions["nastavnik"]


def registry() -> Registry:
    return plugin_state().registry


def hook():
    return plugin_state().pm.hook
