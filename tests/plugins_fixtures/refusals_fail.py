"""A plugin whose legal check fails: every pair it is asked about must be refused, the app must run."""

from nastavnik.plugins import hookimpl


@hookimpl
def nastavnik_pairing_refusals(kind_code, mentors, mentees):
    raise RuntimeError("реестр справок недоступен")
